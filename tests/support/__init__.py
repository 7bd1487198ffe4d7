"""What the tests build with: the API client and its actors (`api`), the services a run talks
to (`services`), the renovation factory (`renovation`), the WebSocket client and live server
(`websocket`), the fuzz harness (`fuzz`) and other helpers shared by several test modules.
conftest.py files hold only fixtures and import from here."""
