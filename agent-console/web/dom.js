// Building DOM without HTML strings: every text goes through textContent, so an appeal's content,
// a citizen's name or an address can never become markup or script.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') node.className = v
    else if (k === 'text') node.textContent = String(v)
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v)
    else if (k === 'dataset') Object.assign(node.dataset, v)
    else node.setAttribute(k, v === true ? '' : String(v))
  }
  append(node, children)
  return node
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue
    node.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
}

export function clear(node) {
  node.replaceChildren()
  return node
}

export function $(sel, root = document) {
  return root.querySelector(sel)
}

/** 13812345678 -> 138****5678; landlines keep area code and last four. */
export function maskPhone(phone) {
  if (!phone) return ''
  return phone.replace(/^(\+?\d{3})\d+(\d{4})$/, '$1****$2')
}

/** Only http(s) links are clickable: a javascript: or data: URL in an attachment stays text. */
export function safeUrl(url) {
  try {
    const u = new URL(url, location.href)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined
  } catch {
    return undefined
  }
}

export function formatTime(iso) {
  if (!iso) return ''
  const d = new Date(iso)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
