"""Report text is user input: keep a small set of formatting tags and drop everything else."""
import nh3

ALLOWED_TAGS = {"p", "ul", "ol", "li", "br", "strong", "em", "u", "sub", "sup"}


def clean_html(text: str) -> str:
    """Sanitised HTML: no attributes, no scripts, no styles, no links or images; text content is kept."""
    if not text:
        return ""
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes={}, url_schemes=set(), strip_comments=True).strip()
