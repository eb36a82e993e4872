//! A small XML element tree over quick-xml, and an escaping writer.
//!
//! OSS replies are parsed by element *local* name (roots sometimes carry a
//! namespace), unknown elements are ignored, and document order is kept (versions
//! and delete markers interleave). Pure functions, no I/O.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;

/// An element; names and text borrow from the document where they can.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element<'a> {
    pub name: Cow<'a, str>,
    pub text: Cow<'a, str>,
    pub children: Vec<Element<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct XmlError(pub String);

/// Nesting deeper than this is refused (OSS documents are shallow; a malicious
/// body must not exhaust the stack or memory).
const MAX_DEPTH: usize = 32;

/// The local name (no namespace prefix) of an element, borrowed from `body` when
/// the reader handed out a slice of it (it does when reading from a `&str`).
fn local_name<'a>(body: &'a str, raw: &[u8]) -> Cow<'a, str> {
    let skip = raw.iter().rposition(|b| *b == b':').map_or(0, |i| i + 1);
    let local = &raw[skip..];
    let start = (local.as_ptr() as usize).wrapping_sub(body.as_ptr() as usize);
    match start
        .checked_add(local.len())
        .and_then(|end| body.get(start..end))
    {
        Some(s) if s.as_bytes() == local => Cow::Borrowed(s),
        _ => Cow::Owned(String::from_utf8_lossy(local).into_owned()),
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(body: &str) -> Result<Element<'_>, XmlError> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            XmlError(format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err(XmlError("content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError("elements nested too deeply".into()));
                }
                stack.push(Element {
                    name: local_name(body, e.name().as_ref()),
                    ..Default::default()
                });
            }
            Event::Empty(e) => {
                let el = Element {
                    name: local_name(body, e.name().as_ref()),
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(XmlError("content after the root element".into())),
                }
            }
            Event::Text(t) => {
                let blank = t.iter().all(|b| b.is_ascii_whitespace());
                if let Some(top) = stack.last_mut() {
                    // Indentation between child elements is not text.
                    if blank && !top.children.is_empty() {
                        continue;
                    }
                    let text = t
                        .unescape()
                        .map_err(|e| XmlError(format!("bad text in <{}>: {e}", top.name)))?;
                    if top.text.is_empty() {
                        top.text = text;
                    } else {
                        top.text.to_mut().push_str(&text);
                    }
                } else if !blank {
                    return Err(XmlError("text outside the root element".into()));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.to_mut().push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError(format!(
            "document ends inside <{}>",
            stack[stack.len() - 1].name
        )));
    }
    root.ok_or_else(|| XmlError("no XML element in the body".into()))
}

/// Parses and checks the root element's name.
pub fn parse_root<'a>(body: &'a str, expected: &str) -> Result<Element<'a>, XmlError> {
    let root = parse(body)?;
    if root.name != expected {
        return Err(XmlError(format!(
            "expected <{expected}>, got <{}>",
            root.name
        )));
    }
    Ok(root)
}

/// Reads the text of the named direct children of the root, skipping every other
/// subtree without building it. Stops early once `done` says enough was seen.
/// Used to find a listing's next-page marker before parsing the page.
pub fn peek_top_level(
    body: &str,
    names: &[&str],
    done: impl Fn(&[(String, String)]) -> bool,
) -> Result<Vec<(String, String)>, XmlError> {
    let mut reader = Reader::from_str(body);
    let mut found: Vec<(String, String)> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    loop {
        match reader
            .read_event()
            .map_err(|e| XmlError(format!("not well-formed XML: {e}")))?
        {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    let name = local_name(body, e.name().as_ref());
                    if names.contains(&name.as_ref()) {
                        current = Some(name.into_owned());
                    } else {
                        reader
                            .read_to_end(e.name())
                            .map_err(|e| XmlError(format!("not well-formed XML: {e}")))?;
                        depth -= 1;
                    }
                }
            }
            Event::Empty(e) if depth == 1 => {
                let name = local_name(body, e.name().as_ref());
                if names.contains(&name.as_ref()) {
                    found.push((name.into_owned(), String::new()));
                }
            }
            Event::Text(t) => {
                if let Some(name) = current.take() {
                    let text = t
                        .unescape()
                        .map_err(|e| XmlError(format!("bad text: {e}")))?;
                    found.push((name, text.into_owned()));
                    if done(&found) {
                        return Ok(found);
                    }
                }
            }
            Event::End(_) => {
                if let Some(name) = current.take() {
                    found.push((name, String::new()));
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return Ok(found),
            _ => {}
        }
    }
}

impl<'a> Element<'a> {
    pub fn child(&self, name: &str) -> Option<&Element<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Element<'a>> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Text of a child element exactly as sent (keys: spaces are significant).
    pub fn raw_text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_ref())
    }

    /// Text of a child element, trimmed; `None` when the child is absent.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Text of a child, `None` when absent or empty.
    pub fn nonempty(&self, name: &str) -> Option<String> {
        self.text_of(name)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    }

    pub fn string(&self, name: &str) -> String {
        self.text_of(name).unwrap_or_default().to_string()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.text_of(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    pub fn number(&self, name: &str) -> Result<Option<u64>, XmlError> {
        match self.text_of(name) {
            None | Some("") => Ok(None),
            Some(t) => t.parse::<u64>().map(Some).map_err(|_| {
                XmlError(format!(
                    "<{name}> in <{}> is not a number: {t:?}",
                    self.name
                ))
            }),
        }
    }

    pub fn number_or_zero(&self, name: &str) -> Result<u64, XmlError> {
        Ok(self.number(name)?.unwrap_or(0))
    }
}

/// Escapes text for an XML body the way the Go v2 SDK does (oss-api.md §1.7):
/// control characters become numeric references so keys holding them survive.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    if !s
        .bytes()
        .any(|b| b < 0x20 || matches!(b, b'"' | b'\'' | b'&' | b'<' | b'>'))
    {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write;
                let _ = write!(out, "&#x{:02X};", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Builds an XML body element by element; text is always escaped.
#[derive(Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        escape_into(&mut self.out, text);
        self.close(name)
    }

    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_by_local_name_and_keeps_order() {
        let doc = r#"<?xml version="1.0"?><r:Root xmlns:r="x"><A>1</A><B/><A>2</A><C>a &amp; b</C></r:Root>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Root");
        let names: Vec<&str> = root.children.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(names, ["A", "B", "A", "C"]);
        assert_eq!(root.text_of("C"), Some("a & b"));
        assert_eq!(root.text_of("B"), Some(""));
        assert_eq!(root.text_of("Missing"), None);
    }

    #[test]
    fn rejects_html_empty_and_truncated_bodies() {
        assert!(parse("").is_err());
        assert!(parse("<Root><A>").is_err());
        assert!(parse_root(
            "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
            "Error"
        )
        .is_err());
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn escapes_control_characters_as_the_go_sdk_does() {
        let key = "go-sdk-v1\u{1}\u{9}\n\r\u{1f}&<>\"'";
        assert_eq!(
            escape(key),
            "go-sdk-v1&#x01;&#x9;&#xA;&#xD;&#x1F;&amp;&lt;&gt;&#34;&#39;"
        );
        let doc = format!("<K>{}</K>", escape(key));
        assert_eq!(parse(&doc).unwrap().text, key);
    }
}
