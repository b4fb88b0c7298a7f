// Building the page from data without ever parsing data as HTML: every
// text goes through textContent, every attribute through setAttribute.
// Log lines, file names and messages are attacker-controlled; nothing of
// theirs may reach innerHTML.
//
//   h("a", { class: "nav-link", href: "/app/search" }, "Search")
//   h("td", { class: ["vg-mono", "small"] }, h("span", { text: value }))

// props: class (string or array), text, dataset {}, on {event: fn},
// hidden, and any other name becomes an attribute (skipped when null,
// undefined or false; true gives an empty attribute).
export function h(tag, props = {}, ...children) {
	const el = document.createElement(tag);

	for (const [name, value] of Object.entries(props || {})) {
		if (value === null || value === undefined || value === false) {
			continue;
		}
		if (name === "class") {
			el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
		} else if (name === "text") {
			el.textContent = String(value);
		} else if (name === "dataset") {
			Object.assign(el.dataset, value);
		} else if (name === "on") {
			for (const [event, fn] of Object.entries(value)) {
				el.addEventListener(event, fn);
			}
		} else if (name === "hidden") {
			el.hidden = true;
		} else {
			el.setAttribute(name, value === true ? "" : String(value));
		}
	}
	append(el, children);
	return el;
}

// Appends nodes or strings (as text); arrays are flattened, null skipped.
export function append(parent, children) {
	for (const child of children) {
		if (child === null || child === undefined || child === false) {
			continue;
		}
		if (Array.isArray(child)) {
			append(parent, child);
		} else if (child instanceof Node) {
			parent.appendChild(child);
		} else {
			parent.appendChild(document.createTextNode(String(child)));
		}
	}
	return parent;
}

export function clear(el) {
	while (el.firstChild) {
		el.removeChild(el.firstChild);
	}
	return el;
}

// Replaces an element's children.
export function fill(el, ...children) {
	return append(clear(el), children);
}

export function byId(id) {
	return document.getElementById(id);
}

export function setText(id, value) {
	const el = byId(id);
	if (el !== null) {
		el.textContent = value === null || value === undefined ? "" : String(value);
	}
	return el;
}
