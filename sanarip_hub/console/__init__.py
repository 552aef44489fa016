"""The operator and auditor web console (``/console``): server-rendered, in Kyrgyz, Russian and English."""
