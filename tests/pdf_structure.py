"""Read back a tagged PDF: its structure tree (with each element's text), its outline and its marked content.

The text of a structure element is the text of the marked content (MCID) it and its descendants own, taken from
pdfplumber's characters (which carry the MCID and tag of the marked content they are drawn in)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import pdfplumber
import pikepdf


@dataclass
class Element:
    tag: str
    attributes: dict
    alt: str | None
    page: int | None
    ref: tuple
    id: str | None = None
    mcids: list = field(default_factory=list)  # (page index, mcid) owned directly
    kids: list = field(default_factory=list)
    text: str = ""

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


@dataclass
class TaggedPdf:
    catalog: dict
    info: dict
    root: Element | None
    outline: list  # (depth, title, page number)
    chars: list  # pdfplumber characters of every page, with "page" added
    parent_tree: dict  # (page index, mcid) → objgen of the element the parent tree gives
    reachable: set  # objgens of the elements reachable from the structure tree root
    metadata: str  # the XMP metadata stream
    document: pikepdf.Pdf  # kept open: catalog values are read from it

    def elements(self, tag: str | None = None):
        if self.root is None:
            return []
        return [e for e in self.root.walk() if tag is None or e.tag == tag]

    def headings(self):
        """(level, text) of every H1…H6 in structure order."""
        return [(int(e.tag[1]), e.text) for e in self.elements() if len(e.tag) == 2 and e.tag[0] == "H"
                and e.tag[1].isdigit()]


def _attributes(element) -> dict:
    owned = element.get("/A")
    result = {}
    for a in (owned if isinstance(owned, pikepdf.Array) else [owned] if owned is not None else []):
        if isinstance(a, pikepdf.Dictionary):
            for key, value in a.items():
                result[key[1:]] = value
    return result


def read(pdf_bytes: bytes) -> TaggedPdf:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

    with pdfplumber.open(io.BytesIO(pdf_bytes)) as plumber:
        chars = []
        for i, page in enumerate(plumber.pages):
            for char in page.chars:
                chars.append(dict(char, page=i))
    text_by_mcid: dict[tuple, str] = {}
    for char in chars:
        if char.get("mcid") is not None:
            key = (char["page"], char["mcid"])
            text_by_mcid[key] = text_by_mcid.get(key, "") + char["text"]

    reachable = set()

    def build(obj, page_index):
        page = obj.get("/Pg")
        if page is not None:
            page_index = pages.get(page.objgen, page_index)
        alt = obj.get("/Alt")
        element = Element(tag=str(obj.get("/S"))[1:], attributes=_attributes(obj),
                          alt=str(alt) if alt is not None else None, page=page_index, ref=obj.objgen,
                          id=str(obj.ID) if "/ID" in obj else None)
        reachable.add(obj.objgen)
        kids = obj.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, int):
                element.mcids.append((page_index, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                if kid.get("/Type") == "/StructElem" or "/S" in kid:
                    element.kids.append(build(kid, page_index))
                elif kid.get("/Type") == "/MCR":
                    kid_page = pages.get(kid.Pg.objgen, page_index) if "/Pg" in kid else page_index
                    element.mcids.append((kid_page, int(kid.MCID)))
        own = "".join(text_by_mcid.get(key, "") for key in element.mcids)
        element.text = own + "".join(kid.text for kid in element.kids)
        return element

    root = None
    tree_root = pdf.Root.get("/StructTreeRoot")
    parent_tree = {}
    if tree_root is not None:
        kids = tree_root.K
        first = kids[0] if isinstance(kids, pikepdf.Array) else kids
        root = build(first, None)
        nums = tree_root.ParentTree.Nums
        page_of_key = {int(page.obj.get("/StructParents", -1)): i for i, page in enumerate(pdf.pages)}
        for n in range(0, len(nums), 2):
            key, value = int(nums[n]), nums[n + 1]
            if key in page_of_key and isinstance(value, pikepdf.Array):
                for mcid, ref in enumerate(value):
                    if isinstance(ref, pikepdf.Dictionary):
                        parent_tree[(page_of_key[key], mcid)] = ref.objgen

    outline = []
    with pdf.open_outline() as tree:
        def walk(items, depth):
            for item in items:
                destination = item.destination
                if destination is None and item.action is not None:
                    destination = item.action.get("/D")
                page = None
                if isinstance(destination, pikepdf.Array):
                    page = pages.get(destination[0].objgen)
                outline.append((depth, str(item.title), None if page is None else page + 1))
                walk(item.children, depth + 1)
        walk(tree.root, 0)

    catalog = {key[1:]: pdf.Root[key] for key in pdf.Root.keys()}
    info = {key[1:]: str(value) for key, value in pdf.trailer.get("/Info", {}).items()}
    metadata = pdf.Root.Metadata.read_bytes().decode() if "/Metadata" in pdf.Root else ""
    return TaggedPdf(catalog=catalog, info=info, root=root, outline=outline, chars=chars, parent_tree=parent_tree,
                     reachable=reachable, metadata=metadata, document=pdf)
