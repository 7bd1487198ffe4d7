"""Demo data: `python server.py demo` fills an empty database with a believable city, made
through the GraphQL API (cli.py runs it; city.py and texts.py are its people, places and
words; repair.py, firms.py and renovation.py its three parts)."""
