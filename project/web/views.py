"""The web pages: the index (every user, a form to add one, a button to delete each the signed-in user may
delete), signing in and out, the pages mailed links open (reset a password, verify an email), and the API docs."""

from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for

from project.auth import recovery, sessions
from project.auth.access import may_change
from project.auth.errors import (
    EmailNotVerified,
    Forbidden,
    InvalidCredentials,
    InvalidLink,
    SessionNotFound,
    TooManyAttempts,
    TooManyRequests,
)
from project.auth.signin import sign_in
from project.extensions import csrf
from project.users import writes
from project.users.errors import EmailTaken, InvalidField
from project.users.events import find_events
from project.users.reads import PAGE_MAX, find_users, read_user
from project.web.forms import EmailForm, ResetPasswordForm, SignInForm, UserForm
from project.web.sessions import HTTPS_NEEDED, cookie_cannot_return
from project.web.signed_in import forget, keep, signed_in

blp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")


@blp.before_request
def refuse_posts_without_https():
    """A form posted over plain HTTP where the session cookie cannot come back is told why it cannot work, rather
    than that its CSRF session token is missing."""
    if request.method == "POST" and cookie_cannot_return():
        abort(400, HTTPS_NEEDED)


@blp.context_processor
def https_notice() -> dict:
    """The pages say the same at the top, before a form is tried."""
    return {"https_needed": HTTPS_NEEDED if cookie_cannot_return() else None}


# Every form post of the pages carries a CSRF token (Flask-WTF checks it here only: WTF_CSRF_CHECK_DEFAULT is off,
# so an API request, which takes JSON and bearer tokens and never a cookie, is not checked, nor pays for a check).
blp.before_request(csrf.protect)

USERS_PER_PAGE = 20
ACCOUNT_EVENTS = 20  # the most recent events the account page shows
# Swagger UI's files, served from the pinned swagger-ui-py package: the docs page works offline.
SWAGGER_UI = Path(find_spec("swagger_ui").origin).parent / "static"
SWAGGER_UI_FILES = {"swagger-ui-bundle.js", "swagger-ui.css"}


@blp.route("/", methods=["GET", "POST"])
def index():
    """Show a page of users and the form; a valid post adds a user and redirects back (Post/Redirect/Get)."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = writes.add_user(**form.loaded)
        except (EmailTaken, InvalidField) as error:
            form.add_errors(error.errors or {"email": [error.message]})
        else:
            flash(f"{user['email']} was added!")
            return redirect(url_for(".index"), 303)
    page = find_users(page=current_page(), per_page=USERS_PER_PAGE)
    if request.method == "GET" and page.page > page.last:  # past the end (after a delete, say)
        return redirect(url_for(".index", page=page.last) if page.last > 1 else url_for(".index"))
    visitor = signed_in()
    deletable = {user.id for user in page.users if may_change(visitor.principal, user.id)}
    return (
        render_template("index.html", form=form, page=page, visitor=visitor, deletable=deletable),
        400 if form.errors else 200,
    )


@blp.route("/delete/<user_id:user_id>", methods=["GET", "POST"])
def delete_user(user_id: int):
    """Ask whether to delete a user (the signed-in user itself, or anyone for an admin); a confirmed post (with
    its CSRF token) deletes it and goes back to the page it was listed on."""
    visitor = signed_in()
    if visitor.principal is None:
        flash("Sign in to delete users.")
        return redirect(url_for(".sign_in_page"), 303)
    if not may_change(visitor.principal, user_id):
        raise Forbidden()
    if request.method == "GET":
        user = read_user(user_id)
        return render_template("delete.html", user=user, visitor=visitor, page=current_page())
    user = writes.delete_user(user_id)
    flash(f"{user['email']} was deleted.")
    return redirect(url_for(".index", page=current_page()), 303)


@blp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    """The sign-in form; signing in keeps a token in the session cookie and goes back to the index."""
    form = SignInForm()
    status, headers, unverified = 200, {}, False
    if form.validate_on_submit():
        try:
            signed = sign_in(form.loaded["email"], form.loaded["password"], request.remote_addr)
        except (InvalidCredentials, EmailNotVerified, TooManyAttempts) as error:
            form.form_errors.append(error.message)
            status, headers = error.status, error.headers
            unverified = isinstance(error, EmailNotVerified)
        else:
            keep(signed)
            flash(f"Signed in as {form.loaded['email']}.")
            return redirect(url_for(".index"), 303)
    page = render_template("sign_in.html", form=form, unverified=unverified)
    return page, 400 if form.errors and status == 200 else status, headers


@blp.post("/sign-out")
def sign_out_page():
    """End the session the cookie's tokens belong to, and forget them (the form carries a CSRF token)."""
    if (principal := signed_in().principal) is not None:
        sessions.sign_out(principal)
    forget()
    flash("Signed out.")
    return redirect(url_for(".index"), 303)


@blp.get("/account")
def account_page():
    """The signed-in user's sessions, each with a button to end it, and its recent activity; the sign-in page for
    a visitor who is not signed in."""
    visitor = signed_in()
    if visitor.principal is None:
        return redirect(url_for(".sign_in_page"))
    found = sessions.list_sessions(visitor.principal)
    activity = find_events(visitor.principal["id"], per_page=ACCOUNT_EVENTS)
    return render_template("account.html", visitor=visitor, sessions=found, events=activity.events)


@blp.post("/account/sessions/<session_id>/end")
def end_session_page(session_id: str):
    """End one of the signed-in user's sessions (the form carries a CSRF token); ending this browser's own signs it
    out."""
    if (principal := signed_in().principal) is not None:
        try:
            sessions.end_session(principal, session_id)
        except SessionNotFound as error:
            flash(error.message)
        else:
            flash("Signed out of that session." if session_id != principal["session_id"] else "Signed out.")
    return redirect(url_for(".account_page"), 303)


@blp.post("/account/sessions/end")
def end_every_session_page():
    """End every session of the signed-in user, this browser's included (the form carries a CSRF token)."""
    if (principal := signed_in().principal) is not None:
        sessions.end_every_session(principal)
    forget()
    flash("Signed out everywhere.")
    return redirect(url_for(".index"), 303)


@blp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password_page():
    """Ask for a link to reset a password; the answer is the same whether the email has an account or not."""
    return ask_for_link("forgot_password.html", recovery.forgot_password, recovery.RESET_LINK_SENT)


@blp.route("/verify-email/new", methods=["GET", "POST"])
def request_verification_page():
    """Ask for a new link to verify an email; the answer is the same whether the email waits for one or not."""
    return ask_for_link("request_verification.html", recovery.request_verification, recovery.VERIFY_LINK_SENT)


def ask_for_link(template: str, ask: Callable[[str, str | None], None], sent: str):
    """A page with an email field that asks for a mailed link, then says it was sent, on the sign-in page."""
    form = EmailForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            ask(form.loaded["email"], request.remote_addr)
        except TooManyRequests as error:
            form.form_errors.append(error.message)
            status, headers = error.status, error.headers
        else:
            flash(sent)
            return redirect(url_for(".sign_in_page"), 303)
    return render_template(template, form=form), 400 if form.errors and status == 200 else status, headers


@blp.route("/reset-password", methods=["GET", "POST"])
def reset_password_page():
    """The page a reset mail links to (its token in the query, then in a hidden field): choose a new password,
    then sign in with it."""
    form = ResetPasswordForm(token=request.args.get("token", ""))
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            recovery.reset_password(form.loaded["token"], form.loaded["password"], request.remote_addr)
        except InvalidField as error:
            form.add_errors(error.errors or {})
        except (InvalidLink, TooManyRequests) as error:
            form.form_errors.append(error.message)
            status, headers = error.status, error.headers
        else:
            flash(recovery.PASSWORD_RESET)
            return redirect(url_for(".sign_in_page"), 303)
    if form.token.errors:  # none sent, or too long
        form.form_errors.append(InvalidLink.message)
    return render_template("reset_password.html", form=form), 400 if form.errors and status == 200 else status, headers


@blp.get("/verify-email")
def verify_email_page():
    """The page a verification mail links to: it verifies the email and says so, or why it could not."""
    try:
        recovery.verify_email(request.args.get("token", ""), request.remote_addr)
    except (InvalidLink, TooManyRequests) as error:
        page = render_template("verify_email.html", message=error.message, failed=True)
        return page, error.status, error.headers
    return render_template("verify_email.html", message=recovery.EMAIL_VERIFIED, failed=False)


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
