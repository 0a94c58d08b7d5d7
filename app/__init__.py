"""Dossier's core: Qt-free domain, services and importers."""
