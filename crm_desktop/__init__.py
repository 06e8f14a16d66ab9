"""CRM Desktop Qt client (PySide6). Talks to the database only through crm_core services."""
