"""The web pages: the index (every user, a form to add one, a button to delete each) and the API docs."""

from importlib.util import find_spec
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for

from project.users import writes
from project.users.errors import EmailTaken
from project.users.reads import PAGE_MAX, find_users
from project.web.forms import UserForm

blp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

USERS_PER_PAGE = 20
# Swagger UI's files, served from the pinned swagger-ui-py package: the docs page works offline.
SWAGGER_UI = Path(find_spec("swagger_ui").origin).parent / "static"
SWAGGER_UI_FILES = {"swagger-ui-bundle.js", "swagger-ui.css"}


@blp.route("/", methods=["GET", "POST"])
def index():
    """Show a page of users and the form; a valid post adds a user and redirects back (Post/Redirect/Get)."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = writes.add_user(**form.user_fields)
        except EmailTaken as error:
            form.email.errors.append(error.message)
        else:
            flash(f"{user.email} was added!")
            return redirect(url_for(".index"), 303)
    page = find_users(page=current_page(), per_page=USERS_PER_PAGE)
    if request.method == "GET" and page.page > page.last:  # past the end (after a delete, say)
        return redirect(url_for(".index", page=page.last) if page.last > 1 else url_for(".index"))
    return render_template("index.html", form=form, page=page), 400 if form.errors else 200


@blp.post("/delete/<user_id:user_id>")
def delete_user(user_id: int):
    """Delete a user (the form carries a CSRF token) and go back to the page it was listed on."""
    user = writes.delete_user(user_id)
    flash(f"{user.email} was deleted.")
    return redirect(url_for(".index", page=current_page()), 303)


def current_page() -> int:
    """The ?page= number; 1 when it is missing or not a positive integer."""
    return min(max(request.args.get("page", 1, type=int), 1), PAGE_MAX)


@blp.get("/docs", strict_slashes=False)
def docs():
    """Interactive API documentation (Swagger UI) for /openapi.json, at /docs and /docs/ alike."""
    return render_template("docs.html")


@blp.get("/docs/assets/<name>")
def docs_asset(name: str):
    """One of Swagger UI's own files."""
    if name not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(SWAGGER_UI, name)
