"""A self-contained HTML page: one object that saves itself as an offline file and shows
itself inline in Jupyter.

    page = HtmlPage(title, fragment)
    page.save("training.html")    # a whole document (atomic write), opens from file://
    page                          # in Jupyter: the fragment, inline (no server, no widget)

The fragment carries its own <style>, markup and <script>, with nothing fetched from the
network. Several fragments may share one notebook page, so a fragment must scope its CSS
under its own class and find its elements from its own root element (see `unique_id`),
never by a global id or a global key handler. The same page may be shown twice, too
(`display(page)` in two cells): each render of the fragment gets a fresh id, so the two
copies never find each other's elements. A saved document holds one fragment alone: its id is
a digest of the content, so saving the same page twice writes the same bytes.
"""

import hashlib
import os
import tempfile
import uuid

from .checks import as_path
from .escape import xml_text


def unique_id(prefix):
    """An id for a fragment's root element that no other fragment on the page has."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


class HtmlPage:
    """One offline page: `.html` (the document), `.fragment`, `.save(path)`, `_repr_html_`.

    `page_id` is the id (from `unique_id`) the fragment was built with: every render replaces
    it with a fresh one. The id holds 48 random bits, so no label contains it by chance."""

    def __init__(self, title, fragment, page_id=None):
        self.title, self._fragment, self._page_id = title, fragment, page_id

    @property
    def fragment(self):
        """The fragment for one place in a document: a fresh id at each call."""
        return self._renamed(unique_id)

    @property
    def html(self):
        """The whole document. Its one fragment needs no fresh id (nothing shares the document),
        so the id is a digest of the fragment: the same page saves to the same bytes, and a
        regenerated page (docs/tour by `make demo`) changes only where its content does."""
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{xml_text(self.title)}</title>\n</head>\n<body>\n{self._alone()}\n</body>\n</html>\n")

    def _alone(self):
        return self._renamed(self._digest_id)

    def _digest_id(self, prefix):
        content = self._fragment.replace(self._page_id, prefix).encode("utf-8")
        return f"{prefix}-{hashlib.sha256(content).hexdigest()[:12]}"

    def _renamed(self, make_id):
        """The fragment with its id replaced by make_id(prefix)."""
        if self._page_id is None:
            return self._fragment
        prefix = self._page_id.rsplit("-", 1)[0]
        return self._fragment.replace(self._page_id, make_id(prefix))

    def save(self, path):
        """Write the whole document to `path` (atomically: a reader never sees half a page); return its Path."""
        path = as_path(path, "viz: HtmlPage.save path")
        try:
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as error:  # its message would name the temporary file, not the page asked for
            raise type(error)(error.errno, f"viz: cannot write {path}: {error.strerror}") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(self.html)
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private (0600); a page is not
            os.replace(temporary, path)
        except OSError as error:  # a directory at path, say: named, not the temporary file
            os.unlink(temporary)
            raise type(error)(error.errno, f"viz: cannot write {path}: {error.strerror}") from None
        except BaseException:
            os.unlink(temporary)
            raise
        return path

    def _repr_html_(self):
        return self.fragment

    def __repr__(self):
        return f"<viz.{type(self).__name__} {self.title!r}: {len(self.html.encode('utf-8')) / 1e3:.0f} kB; .save(path)>"
