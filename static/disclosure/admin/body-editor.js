// The rich-text editor of record and consultation bodies (disclosure/core/editor.py).
//
// ProseMirror and Tiptap come from django-prose-editor's static files, imported by the URL the widget
// writes on the textarea (no inline import map: the Content-Security-Policy allows no inline script).
// The editor knows only what the server's sanitiser keeps: paragraphs, headings (二至四级), bullet and
// numbered lists, tables, bold and links. Whatever else is pasted (Word's styles, fonts, colours,
// classes) has no place in that schema and is dropped; Word's list paragraphs become real lists first.

// The library's labels go through window.gettext; give them in Chinese before the library loads.
const LABELS = {
  "Cancel": "取消",
  "Update": "确定",
  "Insert": "插入",
  "URL": "链接地址",
  "Title": "标题",
  "Open in new window": "在新窗口打开",
  "Edit Link": "编辑链接",
  "Insert Table": "插入表格",
  "Table Properties": "表格属性",
  "Rows": "行数",
  "Columns": "列数",
  "Include header row": "包含表头行",
  "List properties": "列表属性",
  "List type": "编号样式",
  "Start at": "起始编号",
  "Decimal numbers": "阿拉伯数字",
  "Lowercase letters": "小写字母",
  "Uppercase letters": "大写字母",
  "Lowercase Roman numerals": "小写罗马数字",
  "Uppercase Roman numerals": "大写罗马数字",
  "Toggle fullscreen": "全屏编辑",
  "Add column": "插入列",
  "Add row": "插入行",
  "Add caption": "添加说明",
};
// Titles of the toolbar's buttons and block-type choices, which the library does not translate.
const BUTTONS = {
  "bold": "加粗",
  "paragraph": "正文段落",
  "Paragraph": "正文段落",
  "Heading 2": "二级标题",
  "Heading 3": "三级标题",
  "Heading 4": "四级标题",
  "unordered list": "项目符号列表",
  "ordered list": "编号列表",
  "insert link": "插入链接",
  "remove link": "取消链接",
  "Insert table": "插入表格",
  "undo": "撤销",
  "redo": "重做",
  "Merge cells": "合并单元格",
  "Split cell": "拆分单元格",
  "Add column": "插入列",
  "Add row": "插入行",
  "Add caption": "添加说明",
  "Add column before": "在左侧插入列",
  "Add column after": "在右侧插入列",
  "Delete column": "删除列",
  "Add row before": "在上方插入行",
  "Add row after": "在下方插入行",
  "Delete row": "删除行",
  "Delete table": "删除表格",
  "Toggle header cell": "切换表头单元格",
  "Toggle header row": "切换表头行",
  "Toggle header column": "切换表头列",
};
const previousGettext = window.gettext;
window.gettext = (text) => LABELS[text] ?? (previousGettext ? previousGettext(text) : text);

const BLOCK_TAG = /<\s*\/?\s*(?:p|div|h[1-6]|ul|ol|li|table|tr|td|th|blockquote|pre|br|hr|dl)\b/i;
const ORDERED_MARKER = /^[(（]?(?:\d+|[a-zA-Z]|[ivxlcIVXLC]+|[一二三四五六七八九十]+)[.)）、．]/;

function escapeText(text) {
  const node = document.createElement("p");
  node.textContent = text;
  return node.innerHTML;
}

// A body saved as plain text (before the editor, or from a script) shows its lines as paragraphs, as
// the server stores them (disclosure.core.sanitize.text_paragraphs).
export function textParagraphs(text) {
  if (!text || BLOCK_TAG.test(text)) return text || "";
  return text
    .split(/\r\n?|\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => `<p>${escapeText(line)}</p>`)
    .join("");
}

function styleOf(element) {
  return element.getAttribute("style") || "";
}

// Word puts a list on the clipboard as paragraphs styled "mso-list: l0 level1 lfo1", each with its
// bullet or number as text in a span styled "mso-list: Ignore". Rebuild real (nested) lists from them.
function rebuildWordLists(doc) {
  const made = new WeakSet();
  const paragraphs = [...doc.body.querySelectorAll("p")].filter((p) => /mso-list:\s*l\d+/i.test(styleOf(p)));
  let stack = [];
  for (const paragraph of paragraphs) {
    const level = Number((styleOf(paragraph).match(/level(\d+)/i) || [0, 1])[1]);
    const marker = [...paragraph.querySelectorAll("span")].find((span) => /mso-list:\s*ignore/i.test(styleOf(span)));
    const ordered = ORDERED_MARKER.test((marker ? marker.textContent : "").trim());
    if (marker) marker.remove();
    const previous = paragraph.previousElementSibling;
    if (!previous || !made.has(previous)) stack = [];
    while (stack.length && stack[stack.length - 1].level > level) stack.pop();
    let top = stack[stack.length - 1];
    if (!top || top.level < level) {
      const list = doc.createElement(ordered ? "ol" : "ul");
      if (top) {
        top.list.lastElementChild.append(list);
      } else {
        paragraph.before(list);
        made.add(list);
      }
      top = { level, list };
      stack.push(top);
    }
    const item = doc.createElement("li");
    const content = doc.createElement("p");
    content.append(...paragraph.childNodes);
    item.append(content);
    top.list.append(item);
    paragraph.remove();
  }
}

// What Word (and WPS) put on the clipboard, made plain HTML: lists rebuilt, Office's own elements,
// empty spacer paragraphs and first-level headings (the page's title is the only h1) sorted out.
export function fromWord(html) {
  if (!/class="?Mso|mso-|urn:schemas-microsoft-com|<o:p>/i.test(html)) return html;
  const cleaned = html
    .replace(/<!--\[if[\s\S]*?<!\[endif\]-->/gi, "")
    .replace(/<!\[if[^>]*>|<!\[endif\]>/gi, "");
  const doc = new DOMParser().parseFromString(cleaned, "text/html");
  doc.querySelectorAll("style, meta, link, xml, title, script").forEach((node) => node.remove());
  rebuildWordLists(doc);
  doc.querySelectorAll("o\\:p").forEach((node) => node.replaceWith(...node.childNodes));
  doc.querySelectorAll("body > p, body > div > p").forEach((p) => {
    if (!p.textContent.replace(/[\s\u00a0]/g, "") && !p.querySelector("img")) p.remove();
  });
  for (const [from, to] of [["h1", "h2"], ["h5", "h4"], ["h6", "h4"]]) {
    doc.querySelectorAll(from).forEach((heading) => {
      const replacement = doc.createElement(to);
      replacement.append(...heading.childNodes);
      heading.replaceWith(replacement);
    });
  }
  return doc.body.innerHTML;
}

function translateToolbar(root) {
  root.querySelectorAll("[title]").forEach((element) => {
    const label = BUTTONS[element.getAttribute("title")];
    if (label) {
      element.setAttribute("title", label);
      element.setAttribute("aria-label", label);
    }
  });
  root.querySelectorAll(".prose-menubar p, .prose-menubar h2, .prose-menubar h3, .prose-menubar h4").forEach((option) => {
    const label = BUTTONS[option.textContent];
    if (label) option.textContent = label;
  });
}

// Below the editor: the record's image attachments to insert at the cursor, or how to get some there.
function addImagePicker(field, textarea, editor) {
  const images = JSON.parse(textarea.dataset.bodyImages || "[]");
  const panel = document.createElement("p");
  panel.className = "body-editor-images help";
  if (!images.length) {
    panel.textContent = "如需在正文中插入图片，请先在下方“附件”中上传 JPG 或 PNG 图片并保存，再从这里插入。";
    field.append(panel);
    return;
  }
  const select = document.createElement("select");
  select.id = `${textarea.id}-image`;
  for (const image of images) {
    select.append(new Option(image.name, image.src));
  }
  const label = document.createElement("label");
  label.htmlFor = select.id;
  label.textContent = "插入图片附件：";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = "插入图片";
  button.addEventListener("click", () => {
    const chosen = images[select.selectedIndex];
    // The image, then a paragraph to write on, with the cursor in it (not the image selected, which the
    // next keystroke or paste would replace).
    editor
      .chain()
      .focus()
      .insertContent([
        { type: "image", attrs: { src: chosen.src, alt: chosen.name.replace(/\.[^.]+$/, "") } },
        { type: "paragraph" },
      ])
      .run();
  });
  panel.append(label, select, " ", button);
  field.append(panel);
}

async function start(textarea) {
  const lib = await import(textarea.dataset.bodyEditor);
  // Tables and cells without the inline widths and alignment Tiptap writes as style attributes: the
  // policy forbids inline styles and the sanitiser drops them anyway.
  const Table = lib.Table.extend({
    renderHTML({ HTMLAttributes }) {
      return ["table", HTMLAttributes, ["tbody", 0]];
    },
  }).configure({ resizable: false });
  const withoutAlign = (cell) =>
    cell.extend({
      addAttributes() {
        const attributes = { ...(this.parent ? this.parent() : {}) };
        delete attributes.align;
        delete attributes.colwidth;
        return attributes;
      },
    });
  // Images only from this record's image attachments, addressed under the prefix the server gives; any
  // other image (pasted from Word or a web page) has no place in the document and is dropped.
  const imagePrefix = textarea.dataset.bodyImagePrefix || "";
  const Image = lib.Image.extend({
    parseHTML() {
      return [{ tag: "img[src]", getAttrs: (img) => (imagePrefix && img.getAttribute("src").startsWith(imagePrefix) ? null : false) }];
    },
  });
  const extensions = [
    lib.Document,
    lib.Paragraph,
    lib.Text,
    lib.HardBreak,
    lib.Heading.configure({ levels: [2, 3, 4] }),
    lib.Bold,
    lib.BulletList,
    lib.OrderedList,
    lib.ListItem,
    lib.Link.configure({ openOnClick: false, autolink: true, defaultProtocol: "https" }),
    Table,
    lib.TableRow,
    withoutAlign(lib.TableHeader),
    withoutAlign(lib.TableCell),
    lib.UndoRedo || lib.History,
    lib.Dropcursor,
    lib.Gapcursor,
    Image,
    lib.Menu,
  ];
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  // One box for the editor and its image list, so that the admin's form row lays them out as one field.
  const field = document.createElement("div");
  field.className = "body-editor-field";
  const wrapper = document.createElement("div");
  wrapper.className = "prose-editor body-editor";
  textarea.before(field);
  field.append(wrapper);
  wrapper.append(textarea);
  const editor = new lib.Editor({
    element: wrapper,
    extensions,
    content: textParagraphs(textarea.value),
    injectCSS: false,
    editorProps: {
      transformPastedHTML: fromWord,
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label ? label.textContent.replace(/[:：]\s*$/, "") : "正文",
      },
    },
    onUpdate({ editor: current }) {
      const html = current.getHTML();
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  translateToolbar(wrapper);
  addImagePicker(field, textarea, editor);
  new MutationObserver(() => translateToolbar(wrapper)).observe(wrapper, { childList: true, subtree: true });
  textarea.bodyEditor = editor;
  textarea.dispatchEvent(new CustomEvent("body-editor:ready", { detail: { editor }, bubbles: true }));
  return editor;
}

function startAll() {
  document.querySelectorAll("textarea[data-body-editor]").forEach((textarea) => {
    if (!textarea.closest(".prose-editor")) {
      start(textarea).catch((error) => console.error("正文编辑器加载失败：", error));
    }
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", startAll);
} else {
  startAll();
}
