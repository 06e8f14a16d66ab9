"""Entry point of the ``crm-desktop`` command.

The Qt client itself (login window, main window, grids and forms) is the next
piece of work; until it lands this command says so instead of pretending.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Start the desktop client."""
    sys.stderr.write(
        "CRM Desktop: the Qt client is not built yet (see the issue 'Desktop client').\n"
        "The business tier is ready: try `crm-admin demo-data` and `crm-admin users list`.\n"
        "CRM 桌面客户端界面尚未完成；业务层已可用，可先运行 crm-admin demo-data。\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
