"""ASGI entry point for uvicorn and other servers: `uvicorn seci.asgi:app`."""

from seci.app import create_app

app = create_app()
