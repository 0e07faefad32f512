"""The service's own database: encounters, suggestions, decisions, API keys and the audit trail."""
