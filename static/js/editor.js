// Rich-text fields: the textarea of a RichTextField (zoneeval/drafting/fields.py) becomes a django-prose-editor
// (ProseMirror) editor offering exactly what the report uses (zoneeval/reports/sanitize.py EDITOR_EXTENSIONS):
// paragraphs, bulleted and numbered lists, bold, italic, line breaks (Shift+Enter). Nobody sees a tag.
//
// - No inline code: the configuration is the textarea's data attribute (JSON, never executed); the library's module
//   is imported by a relative URL (no import map), and Tiptap's injected <style> element is switched off (CSP).
// - Forms are swapped in by htmx: editors start on the page and on every htmx:load; the textarea is kept in step on
//   every change and once more when htmx collects a request's values (htmx:configRequest).
// - Paste from Word: its list paragraphs (mso-list) become real lists, its bullets, comments, styles and <o:p> go;
//   the editor's schema drops every other element or attribute, and the server sanitises again (clean_html).

const ATTRIBUTE = "data-django-prose-editor-configurable"
const LIBRARY = new URL("../django_prose_editor/editor.js", import.meta.url).href

const LABELS = {
  bulletList: "箇条書き",
  orderedList: "番号付きリスト",
  bold: "太字",
  italic: "斜体",
  paragraph: "段落",
  "history:undo": "元に戻す",
  "history:redo": "やり直す",
}

let library = null
const editors = new WeakMap()

function load() {
  library = library || import(LIBRARY)
  return library
}

// ---- paste ------------------------------------------------------------------------------------------------------

// Pasted HTML (Word, web pages, Google Docs) is parsed here before ProseMirror reads it. Its style attributes are
// renamed first, so that no document ever applies an inline style (the CSP would refuse and report each one); what
// they meant for the report is kept: bold and italic spans become <strong>/<em>, Word's list paragraphs become lists.
const STYLE = "data-pasted-style"
const ORDERED_MARKER = /^[\s\u00a0]*[(（]?[0-9０-９a-zA-Zａ-ｚＡ-Ｚⅰ-ⅻⅠ-Ⅻ①-⑳]{1,3}[.．)）、]/

const styleOf = (element) => element.getAttribute(STYLE) || ""

function isWordListParagraph(element) {
  return /mso-list\s*:\s*l\d/i.test(styleOf(element)) || /MsoListParagraph/i.test(element.className)
}

function wrap(doc, element, tag) {
  const wrapper = doc.createElement(tag)
  wrapper.append(...element.childNodes)
  element.append(wrapper)
}

export function cleanPastedHTML(html) {
  const renamed = html
    .replace(/<style[\s\S]*?(<\/style\s*>|$)/gi, "") // a style element would be refused (and reported) too
    .replace(/(<[a-z][^>]*?\s)style(\s*=)/gi, `$1${STYLE}$2`)
  const doc = new DOMParser().parseFromString(renamed, "text/html") // inert: nothing runs or loads
  for (const junk of doc.querySelectorAll("style, meta, link, title, script, xml")) junk.remove()
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT)
  const comments = []
  while (walker.nextNode()) comments.push(walker.currentNode)
  for (const comment of comments) comment.remove()
  // Word's bullets and numbers are text in an mso-list:Ignore span: read them, then drop them.
  let list = null
  for (const paragraph of [...doc.body.querySelectorAll("p")]) {
    if (!isWordListParagraph(paragraph)) continue
    let marker = ""
    for (const span of [...paragraph.querySelectorAll(`[${STYLE}]`)]) {
      if (span.isConnected && /mso-list\s*:\s*ignore/i.test(styleOf(span))) {
        marker += span.textContent
        span.remove()
      }
    }
    const tag = ORDERED_MARKER.test(marker) ? "OL" : "UL"
    if (!(list && paragraph.previousElementSibling === list && list.tagName === tag)) {
      list = doc.createElement(tag)
      paragraph.before(list)
    }
    const item = doc.createElement("li")
    const content = doc.createElement("p")
    content.append(...paragraph.childNodes)
    item.append(content)
    list.append(item)
    paragraph.remove()
  }
  for (const element of [...doc.body.querySelectorAll(`[${STYLE}]`)]) {
    const style = styleOf(element)
    if (/^(b|strong)$/i.test(element.tagName) && /font-weight\s*:\s*(normal|[1-5]00)\b/i.test(style)) {
      element.replaceWith(...element.childNodes) // Google Docs wraps everything in <b style="font-weight:normal">
      continue
    }
    if (/font-weight\s*:\s*(bold|[6-9]00)\b/i.test(style)) wrap(doc, element, "strong")
    if (/font-style\s*:\s*italic/i.test(style)) wrap(doc, element, "em")
    element.removeAttribute(STYLE)
  }
  return doc.body.innerHTML
}

// ---- the editor -------------------------------------------------------------------------------------------------

function actuallyEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
}

function accessibleName(textarea) {
  const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`)
  return label ? label.textContent.replace("必須", "").trim() : ""
}

async function create(textarea) {
  if (editors.has(textarea) || textarea.closest(".prose-editor")) return
  editors.set(textarea, null)
  const lib = await load()
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE) || "{}")
  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = lib[name]
    if (!extension) {
      console.error(`zoneeval editor: unknown extension ${name}`)
      continue
    }
    extensions.push(options && typeof options === "object" ? extension.configure(options) : extension)
  }
  const hadFocus = document.activeElement === textarea // a11y.js focuses a swapped-in form's first field
  const element = document.createElement("div")
  element.className = "prose-editor"
  textarea.before(element)
  element.append(textarea)
  const sync = (editor) => {
    const html = actuallyEmpty(editor.getHTML())
    if (textarea.value !== html) {
      textarea.value = html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    }
  }
  const editor = new lib.Editor({
    element,
    extensions,
    content: textarea.value,
    injectCSS: false, // Tiptap would add a <style> element: refused by the Content-Security-Policy
    editable: !textarea.disabled,
    editorProps: {
      transformPastedHTML: cleanPastedHTML,
      attributes: { role: "textbox", "aria-multiline": "true", "aria-label": accessibleName(textarea) },
    },
    onUpdate: ({ editor }) => sync(editor),
    onDestroy: () => {
      element.before(textarea)
      element.remove()
      document.getElementById(`${textarea.id || textarea.name}-editor-hint`)?.remove()
    },
  })
  editor.zoneevalSync = () => sync(editor)
  const relabel = () => { // the library names its buttons in English
    for (const button of element.querySelectorAll(".prose-menubar [data-name]")) {
      const label = LABELS[button.dataset.name]
      if (label && button.title !== label) {
        // The name comes from the button's own (hidden) text, so it matches what is read out; the icon's ligature
        // text (e.g. "format_bold") is hidden from assistive technology.
        for (const node of [...button.childNodes]) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
            const icon = document.createElement("span")
            icon.textContent = node.textContent
            node.replaceWith(icon)
          }
        }
        for (const child of button.children) child.setAttribute("aria-hidden", "true")
        const name = document.createElement("span")
        name.className = "visually-hidden"
        name.textContent = label
        button.append(name)
        button.removeAttribute("aria-label")
        button.title = label
      }
    }
  }
  relabel()
  editor.on("create", relabel)
  editor.on("transaction", relabel)
  const hint = document.createElement("p")
  hint.className = "editor-hint"
  hint.id = `${textarea.id || textarea.name}-editor-hint`
  hint.textContent = "Enterで段落、Shift+Enterで段落内の改行。Wordなどからの貼り付けは書式を整えて取り込みます。"
  element.after(hint)
  editor.view.dom.setAttribute("aria-describedby", hint.id)
  const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`)
  if (label) label.addEventListener("click", () => editor.commands.focus())
  editors.set(textarea, editor)
  if (hadFocus) editor.commands.focus() // the field that had the focus keeps it, now as the editor
  element.classList.add("ready")
  textarea.dispatchEvent(new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }))
  return editor
}

function start(root) {
  const scope = root && root.querySelectorAll ? root : document
  const found = [...scope.querySelectorAll(`textarea[${ATTRIBUTE}]`)]
  if (scope.matches && scope.matches(`textarea[${ATTRIBUTE}]`)) found.push(scope)
  for (const textarea of found) {
    create(textarea).catch((error) => console.error("zoneeval editor:", error))
  }
}

// htmx collects a form's values before this event and hands them over here: put the editors' HTML in (the
// textarea is already current after every change; this covers anything not yet flushed).
document.addEventListener("htmx:configRequest", (event) => {
  const source = event.detail.elt
  const form = source && (source.closest("form") || (source.form ?? null))
  if (!form) return
  for (const textarea of form.querySelectorAll(`textarea[${ATTRIBUTE}]`)) {
    const editor = editors.get(textarea)
    if (!editor) continue
    editor.zoneevalSync()
    if (textarea.name && event.detail.parameters) {
      const parameters = event.detail.parameters
      if (typeof parameters.set === "function") parameters.set(textarea.name, textarea.value)
      else parameters[textarea.name] = textarea.value
    }
  }
})

// An editor whose form htmx swaps out is taken down with it.
document.addEventListener("htmx:beforeCleanupElement", (event) => {
  const elt = event.detail.elt
  if (!elt || !elt.querySelectorAll) return
  for (const textarea of elt.querySelectorAll(`textarea[${ATTRIBUTE}]`)) {
    const editor = editors.get(textarea)
    if (editor) editor.destroy()
    editors.delete(textarea)
  }
})

document.addEventListener("htmx:load", (event) => start(event.detail.elt))
document.addEventListener("submit", (event) => { // a form posted without htmx (e.g. 新規追加)
  for (const textarea of event.target.querySelectorAll(`textarea[${ATTRIBUTE}]`)) {
    const editor = editors.get(textarea)
    if (editor) editor.zoneevalSync()
  }
}, true)
start(document)
