"""The "Beyond the basics" lessons, one package each (the registry in lessons/__init__.py orders them)."""
