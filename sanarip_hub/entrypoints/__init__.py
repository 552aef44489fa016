"""The composition root: the one place that knows every piece and puts them together.

What the hub runs is built here and nowhere else: settings read from the environment, database
engines, the ledger writer, the registry consumers with their transport, the web applications
(producer, console, metrics, each mountable on a listener of its own), the nightly jobs, the
simulators and the witness server.  The rest of the code receives what it needs as arguments
(small ``typing.Protocol`` ports where a layer meets another) and never reads ``os.environ`` or
makes an engine itself; the CLI parses arguments and calls these functions.

* :mod:`.environment` — settings and the debug switch, from the process environment;
* :mod:`.hub` — :class:`~.hub.Hub`: settings and an engine made on first use (every command);
* :mod:`.web` — the producer and console apps and ``serve``;
* :mod:`.jobs` — the reconciliation consumers, the scheduled jobs and the scheduler;
* :mod:`.simulator` — the registry simulators; :mod:`.witness` — the witness server.
"""
