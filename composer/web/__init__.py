"""The review app (``compose review DIR``): score, approve and regenerate results in a browser.

A Starlette application, server-rendered with Jinja, over one campaign folder. It only calls the
library: scores, verdicts, notes, divergences and the re-run queue live in the review store
(``composer.review``); this package shows them and accepts a reviewer's input.

Modules: ``app`` (the application, error pages), ``pages`` (grid, shot, reconcile, report),
``reviewers`` (the reviewer's name cookie), ``forms`` (posted forms, CSRF), ``media`` (images and
thumbnails), ``security`` (host, token, CSRF, file paths), ``thumbnails`` (the thumbnail cache),
``rendering`` (Jinja, Markdown), ``server`` (uvicorn).

    from composer.web.app import create_app
    from composer.web.security import Access
    app = create_app(Path("spring/"), Access("127.0.0.1"))   # an ASGI app: uvicorn, TestClient
"""
