"""The X-Road producer: Sanarip Aimak's services published to state bodies over SOAP and REST."""
