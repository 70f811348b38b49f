"""Services: write, query and admin orchestration; no aiohttp.web here."""
