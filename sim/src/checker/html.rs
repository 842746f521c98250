//! A self-contained HTML view of checked histories: one row per client on a time axis, each op
//! a bar from call to return, the failing point marked. Inline SVG and CSS only.

use std::fmt::Write as _;

use super::cli::FileReport;

/// How an op is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Not part of the failing partition (or the history passed).
    Plain,
    /// In the failing partition.
    Partition,
    /// In the longest linearizable prefix.
    Prefix,
    /// Could have gone next after the prefix; illegal there.
    Stuck,
    /// The stuck op whose return forced the failure.
    Blocking,
}

#[derive(Debug, Clone)]
pub struct OpView {
    pub client: u64,
    pub call: u64,
    pub ret: Option<u64>,
    pub label: String,
    pub mark: Mark,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let mut h = String::new();
    h.push_str(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sim check</title><style>\n\
         body{font-family:sans-serif;margin:1em}\n\
         .scroll{overflow:auto;border:1px solid #ccc;max-height:80vh}\n\
         pre{background:#f6f6f6;padding:.5em}\n\
         rect.Plain{fill:#cfd8dc}rect.Partition{fill:#90a4ae}rect.Prefix{fill:#81c784}\n\
         rect.Stuck{fill:#e57373}rect.Blocking{fill:#c62828;stroke:#000;stroke-width:1.5}\n\
         rect.unknown{fill-opacity:.35;stroke:#555;stroke-dasharray:3 2}\n\
         .legend span{display:inline-block;padding:0 .5em;margin-right:.5em}\n\
         </style></head><body>\n<h1>sim check</h1>\n\
         <p class=\"legend\"><span style=\"background:#81c784\">linearizable prefix</span>\
         <span style=\"background:#e57373\">cannot go next</span>\
         <span style=\"background:#c62828;color:#fff\">blocking return</span>\
         <span style=\"background:#90a4ae\">failing partition</span>\
         <span style=\"background:#cfd8dc\">other ops</span>\
         <span style=\"border:1px dashed #555\">unknown outcome</span></p>\n",
    );
    for r in reports {
        let verdict = match r.verdict.as_str() {
            "linearizable" => "linearizable",
            "not_linearizable" => "NOT linearizable",
            "unknown" => "unknown (timed out)",
            _ => "error",
        };
        let _ = writeln!(
            h,
            "<h2>{} — {verdict}</h2>\n<p>{} model, {} ops, {} partitions, {:.3} ms</p>",
            escape(&r.file),
            escape(&r.model),
            r.ops,
            r.partitions,
            r.time_ms
        );
        if let Some(e) = &r.error {
            let _ = writeln!(h, "<pre>{}</pre>", escape(e));
        }
        if let Some(f) = &r.failure {
            let _ = writeln!(h, "<pre>{}</pre>", escape(&f.explanation.join("\n")));
        }
        if !r.timeline.is_empty() {
            svg(&mut h, &r.timeline);
        }
    }
    h.push_str("</body></html>\n");
    h
}

fn svg(h: &mut String, ops: &[OpView]) {
    let mut clients: Vec<u64> = ops.iter().map(|o| o.client).collect();
    clients.sort_unstable();
    clients.dedup();
    let t_max = ops
        .iter()
        .map(|o| o.ret.unwrap_or(o.call).max(o.call))
        .max()
        .unwrap_or(0)
        + 2;
    // A few pixels per time unit, within bounds a browser draws comfortably.
    let px = (4000.0 / t_max as f64).clamp(0.5, 12.0);
    let left = 80.0;
    let row = 18.0;
    let width = left + t_max as f64 * px + 10.0;
    let height = 20.0 + clients.len() as f64 * row;
    let _ = writeln!(
        h,
        "<div class=\"scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         font-size=\"11\">"
    );
    for (k, c) in clients.iter().enumerate() {
        let y = 20.0 + k as f64 * row;
        let _ = writeln!(
            h,
            "<text x=\"4\" y=\"{:.1}\">client {c}</text><line x1=\"{left}\" x2=\"{width:.0}\" y1=\"{:.1}\" \
             y2=\"{:.1}\" stroke=\"#eee\"/>",
            y + 12.0,
            y + row - 1.0,
            y + row - 1.0
        );
    }
    for (i, o) in ops.iter().enumerate() {
        let Ok(k) = clients.binary_search(&o.client) else {
            continue;
        };
        let y = 20.0 + k as f64 * row + 2.0;
        let x0 = left + o.call as f64 * px;
        let end = o.ret.map_or(t_max, |r| r.max(o.call) + 1);
        let w = ((end - o.call) as f64 * px).max(1.0);
        let unknown = if o.ret.is_none() { " unknown" } else { "" };
        let ret = o.ret.map_or("?".to_string(), |r| r.to_string());
        let _ = writeln!(
            h,
            "<rect class=\"{:?}{unknown}\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"2\">\
             <title>#{i} client {} [t={}..{ret}] {}</title></rect>",
            o.mark,
            row - 5.0,
            o.client,
            o.call,
            escape(&o.label)
        );
        if o.mark == Mark::Blocking {
            if let Some(r) = o.ret {
                let x = left + (r as f64 + 1.0) * px;
                let _ = writeln!(
                    h,
                    "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"0\" y2=\"{height:.0}\" stroke=\"#c62828\" \
                     stroke-width=\"2\"/><text x=\"{:.1}\" y=\"12\" fill=\"#c62828\">fails here (t={r})</text>",
                    x + 3.0
                );
            }
        }
    }
    h.push_str("</svg></div>\n");
}
