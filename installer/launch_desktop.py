"""Entry script of the frozen ``crm-desktop`` (PyInstaller): the installed package's ``main``."""

from crm_desktop.__main__ import main

raise SystemExit(main())
