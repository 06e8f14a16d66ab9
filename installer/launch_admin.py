"""Entry script of the frozen console ``crm-admin`` (PyInstaller)."""

from crm_core.cli import main

raise SystemExit(main())
