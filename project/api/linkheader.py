"""The Link header of a paged list (RFC 8288): the users list's, and an account's events'."""

from flask import request, url_for

from project.users.reads import Paging


def links(found: Paging) -> str:
    """The RFC 8288 Link header: first, prev, next and last pages, with the request's other parameters kept.
    From past the end, the previous page is the last one."""
    last = found.last
    pages = {"first": 1, "prev": min(found.page - 1, last), "next": found.page + 1, "last": last}
    if found.page == 1:
        del pages["prev"]
    if found.page >= last:
        del pages["next"]
    return link_header({relation: {"page": page} for relation, page in pages.items()})


def link_header(relations: dict[str, dict]) -> str:
    """An RFC 8288 Link header to the list the request asked for, one link per relation, each with the request's
    parameters changed as its dict says."""
    arguments = {**request.view_args, **request.args.to_dict()}
    return ", ".join(
        f'<{url_for(request.endpoint, **{**arguments, **changes}, _external=True)}>; rel="{relation}"'
        for relation, changes in relations.items()
    )
