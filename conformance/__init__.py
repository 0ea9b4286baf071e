"""Certify any implementation of one of the CRM APIs: checks per family, reports, CLI, pytest plugin."""
