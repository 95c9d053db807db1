"""The practitioners web app (server-rendered pages); see :mod:`adapters.web.app`."""
