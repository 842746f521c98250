//! The reply encoder: a [`Reply`] rendered for RESP2 or RESP3, byte for byte as Redis
//! 7.0.15's `addReply*` functions write it, plus [`encode_command`] for clients.

use super::Reply;
use bytes::{BufMut, BytesMut};

/// Appends `reply` to `out` in protocol `proto` (3 for RESP3, anything else for RESP2).
///
/// RESP2 renders the RESP3 types as Redis does: both nulls as `$-1`/`*-1`, a map as a flat
/// array, a set and a push as arrays, a double as a bulk string, a boolean as `:1`/`:0`
/// and a verbatim string as a bulk string of its text.
pub fn encode(reply: &Reply, proto: u8, out: &mut BytesMut) {
    let resp3 = proto == 3;
    match reply {
        Reply::Simple(text) => {
            out.put_u8(b'+');
            put_line_text(text, out);
        }
        Reply::Error(text) => {
            out.put_u8(b'-');
            put_line_text(text, out);
        }
        Reply::Integer(n) => put_header(b':', *n, out),
        Reply::Bulk(data) => put_bulk(data, out),
        Reply::Null if resp3 => out.put_slice(b"_\r\n"),
        Reply::Null => out.put_slice(b"$-1\r\n"),
        Reply::NullArray if resp3 => out.put_slice(b"_\r\n"),
        Reply::NullArray => out.put_slice(b"*-1\r\n"),
        Reply::Array(items) => put_aggregate(b'*', items, proto, out),
        Reply::Set(items) => put_aggregate(if resp3 { b'~' } else { b'*' }, items, proto, out),
        Reply::Push(items) => put_aggregate(if resp3 { b'>' } else { b'*' }, items, proto, out),
        Reply::Map(pairs) => {
            if resp3 {
                put_header(b'%', len_i64(pairs.len()), out);
            } else {
                put_header(b'*', len_i64(pairs.len()).saturating_mul(2), out);
            }
            for (key, value) in pairs {
                encode(key, proto, out);
                encode(value, proto, out);
            }
        }
        Reply::Double(d) => {
            let text = format_double(*d);
            if resp3 {
                out.put_u8(b',');
                out.put_slice(text.as_bytes());
                out.put_slice(b"\r\n");
            } else {
                put_bulk(text.as_bytes(), out);
            }
        }
        Reply::Bool(b) if resp3 => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Reply::Bool(b) => out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" }),
        Reply::Verbatim(format, text) if resp3 => {
            // `addReplyVerbatim`: the format is exactly 3 bytes, then ':' and the text.
            let mut fmt = [b' '; 3];
            for (dst, src) in fmt.iter_mut().zip(format.bytes()) {
                *dst = src;
            }
            put_header(b'=', len_i64(text.len()).saturating_add(4), out);
            out.put_slice(&fmt);
            out.put_u8(b':');
            out.put_slice(text);
            out.put_slice(b"\r\n");
        }
        Reply::Verbatim(_, text) => put_bulk(text, out),
    }
}

/// Appends a command as a multibulk request (`*<n>`, then `$<len>` and data per argument).
pub fn encode_command(argv: &[&[u8]], out: &mut BytesMut) {
    put_header(b'*', len_i64(argv.len()), out);
    for arg in argv {
        put_bulk(arg, out);
    }
}

/// Formats a double as Redis 7.0.15's `addReplyDouble`: C's `"%.17g"`, except that the
/// infinities are spelled `inf` and `-inf` on every platform. (7.2 switched to the
/// shortest round-trip form; 7.0 prints `1.1` as `1.1000000000000001`.) NaN prints as
/// glibc does, `nan` or `-nan`; Redis itself never replies with a NaN.
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    // `{:.16e}` gives exactly 17 significant digits, correctly rounded (ties to even on the
    // exact binary value, as glibc's printf): "d.dddddddddddddddde<exp>".
    let sci = format!("{:.16e}", d);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(24);
    if negative {
        out.push('-');
    }
    // %g: plain notation when -4 <= exponent < precision (17), else exponent notation;
    // trailing zeros of the fraction are dropped, and the point with them if none is left.
    if (-4..17).contains(&exp) {
        if exp >= 0 {
            let point = exp as usize + 1;
            out.push_str(&digits[..point]);
            let frac = digits[point..].trim_end_matches('0');
            if !frac.is_empty() {
                out.push('.');
                out.push_str(frac);
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(digits.trim_end_matches('0'));
        }
    } else {
        out.push_str(&digits[..1]);
        let frac = digits[1..].trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        // C prints at least two exponent digits, with a sign.
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
    out
}

/// Text of a simple string or an error, which must stay on one line: CR and LF become
/// spaces, as `addReplyErrorFormat` does (a raw newline would desynchronise the client).
fn put_line_text(text: &str, out: &mut BytesMut) {
    out.reserve(text.len() + 2);
    for &b in text.as_bytes() {
        out.put_u8(if b == b'\r' || b == b'\n' { b' ' } else { b });
    }
    out.put_slice(b"\r\n");
}

fn put_bulk(data: &[u8], out: &mut BytesMut) {
    put_header(b'$', len_i64(data.len()), out);
    out.reserve(data.len() + 2);
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

fn put_aggregate(kind: u8, items: &[Reply], proto: u8, out: &mut BytesMut) {
    put_header(kind, len_i64(items.len()), out);
    for item in items {
        encode(item, proto, out);
    }
}

/// `<kind><n>\r\n`, with the integer written without going through `fmt`.
fn put_header(kind: u8, n: i64, out: &mut BytesMut) {
    let mut buf = [0u8; 24];
    let mut at = buf.len();
    // Work on the magnitude as u64 so i64::MIN needs no special case.
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    out.reserve(buf.len() - at + 3);
    out.put_u8(kind);
    out.put_slice(&buf[at..]);
    out.put_slice(b"\r\n");
}

/// Lengths in memory always fit an i64 on the platforms we build for.
fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Reply {
    /// The reply a RESP2 client decodes from `encode(self, 2, ..)`: what the RESP3 types
    /// turn into on the wire. Used by tests and by the simulator's model to compare.
    pub fn to_resp2(&self) -> Reply {
        match self {
            Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
                Reply::Array(items.iter().map(Reply::to_resp2).collect())
            }
            Reply::Map(pairs) => Reply::Array(
                pairs
                    .iter()
                    .flat_map(|(k, v)| [k.to_resp2(), v.to_resp2()])
                    .collect(),
            ),
            Reply::Double(d) => Reply::bulk(format_double(*d)),
            Reply::Bool(b) => Reply::Integer(i64::from(*b)),
            Reply::Verbatim(_, text) => Reply::Bulk(text.clone()),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn enc(reply: &Reply, proto: u8) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(reply, proto, &mut out);
        out.to_vec()
    }

    #[test]
    fn scalars_in_both_protocols() {
        let cases: &[(Reply, &[u8], &[u8])] = &[
            (Reply::OK, b"+OK\r\n", b"+OK\r\n"),
            (Reply::err("ERR x\r\ny"), b"-ERR x  y\r\n", b"-ERR x  y\r\n"),
            (Reply::Integer(-42), b":-42\r\n", b":-42\r\n"),
            (
                Reply::Integer(i64::MIN),
                b":-9223372036854775808\r\n",
                b":-9223372036854775808\r\n",
            ),
            (
                Reply::bulk_from(b"a\r\nb"),
                b"$4\r\na\r\nb\r\n",
                b"$4\r\na\r\nb\r\n",
            ),
            (Reply::Null, b"$-1\r\n", b"_\r\n"),
            (Reply::NullArray, b"*-1\r\n", b"_\r\n"),
            (
                Reply::Double(1.1),
                b"$18\r\n1.1000000000000001\r\n",
                b",1.1000000000000001\r\n",
            ),
            (Reply::Double(f64::INFINITY), b"$3\r\ninf\r\n", b",inf\r\n"),
            (
                Reply::Double(f64::NEG_INFINITY),
                b"$4\r\n-inf\r\n",
                b",-inf\r\n",
            ),
            (Reply::Bool(true), b":1\r\n", b"#t\r\n"),
            (Reply::Bool(false), b":0\r\n", b"#f\r\n"),
            (
                Reply::Verbatim("txt", Bytes::from_static(b"hi\n")),
                b"$3\r\nhi\n\r\n",
                b"=7\r\ntxt:hi\n\r\n",
            ),
        ];
        for (reply, resp2, resp3) in cases {
            assert_eq!(enc(reply, 2), *resp2, "{reply:?}");
            assert_eq!(enc(reply, 3), *resp3, "{reply:?}");
        }
    }

    #[test]
    fn aggregates_in_both_protocols() {
        let map = Reply::Map(vec![(Reply::bulk_from(b"k"), Reply::Integer(1))]);
        assert_eq!(enc(&map, 2), b"*2\r\n$1\r\nk\r\n:1\r\n");
        assert_eq!(enc(&map, 3), b"%1\r\n$1\r\nk\r\n:1\r\n");
        let set = Reply::Set(vec![Reply::Bool(true)]);
        assert_eq!(enc(&set, 2), b"*1\r\n:1\r\n");
        assert_eq!(enc(&set, 3), b"~1\r\n#t\r\n");
        let push = Reply::Push(vec![Reply::simple("message")]);
        assert_eq!(enc(&push, 2), b"*1\r\n+message\r\n");
        assert_eq!(enc(&push, 3), b">1\r\n+message\r\n");
        assert_eq!(enc(&Reply::Array(vec![]), 3), b"*0\r\n");
    }

    #[test]
    fn commands() {
        let mut out = BytesMut::new();
        encode_command(&[b"SET", b"k", b""], &mut out);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }

    #[test]
    fn doubles_match_redis_7_0() {
        // Seen from redis-server 7.0.15 (ZADD then ZSCORE, RESP2 and RESP3).
        for (d, text) in [
            (1.1, "1.1000000000000001"),
            (3.0, "3"),
            (1e20, "1e+20"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            // A tie at the 17th digit: glibc rounds half to even.
            (f64::from_bits(0x431fffffffffffff - 2), "2251799813685247.2"),
        ] {
            assert_eq!(format_double(d), text);
        }
        assert_eq!(format_double(f64::NAN), "nan");
    }

    #[test]
    fn doubles_match_c_printf() {
        // Produced by Python's '%.17g' (correctly rounded like glibc), incl. random bit patterns.
        let cases: &[(f64, &str)] = &[
            (f64::from_bits(0x0000000000000000), "0"),
            (f64::from_bits(0x8000000000000000), "-0"),
            (f64::from_bits(0x3ff0000000000000), "1"),
            (f64::from_bits(0xbff8000000000000), "-1.5"),
            (f64::from_bits(0x3fb999999999999a), "0.10000000000000001"),
            (f64::from_bits(0x3ff199999999999a), "1.1000000000000001"),
            (f64::from_bits(0x4341c37937e08000), "10000000000000000"),
            (f64::from_bits(0x4376345785d8a000), "1e+17"),
            (f64::from_bits(0x437b69b4ba630f35), "1.2345678901234568e+17"),
            (f64::from_bits(0x3f1a36e2eb1c432d), "0.0001"),
            (f64::from_bits(0x3ee4f8b588e368f1), "1.0000000000000001e-05"),
            (f64::from_bits(0x3f202e4b6ce5dc68), "0.00012344999999999999"),
            (f64::from_bits(0x431ffffffffffffd), "2251799813685247.2"),
            (f64::from_bits(0x431fffffffffffff), "2251799813685247.8"),
            (
                f64::from_bits(0x0000000000000001),
                "4.9406564584124654e-324",
            ),
            (
                f64::from_bits(0x7fefffffffffffff),
                "1.7976931348623157e+308",
            ),
            (f64::from_bits(0x4008000000000000), "3"),
            (f64::from_bits(0x4059000000000000), "100"),
            (f64::from_bits(0x444b1ae4d6e2ef50), "1e+21"),
            (f64::from_bits(0x40c81cd6c8b43958), "12345.678"),
            (f64::from_bits(0x4376345785d8a000), "1e+17"),
            (f64::from_bits(0x4376345785d89fff), "99999999999999984"),
            (f64::from_bits(0x3fd3333333333333), "0.29999999999999999"),
            (
                f64::from_bits(0xf2a74de452e6b438),
                "-1.989032661366619e+244",
            ),
            (f64::from_bits(0xc1254f7b4de6bc41), "-698301.65215099615"),
            (f64::from_bits(0x0c5c7fd0a6a3a450), "3.980498358697587e-249"),
            (f64::from_bits(0xc12a18aeda73d2dc), "-855127.42666491447"),
            (
                f64::from_bits(0x1818e811892f902b),
                "1.3647584518757569e-192",
            ),
            (f64::from_bits(0xc1106538aa29bbfe), "-268622.16617482889"),
            (
                f64::from_bits(0xe8e25d940ed90475),
                "-1.7160537630466207e+197",
            ),
            (f64::from_bits(0x40cd0bbbb24d45c0), "14871.466378840501"),
            (
                f64::from_bits(0x1600a35a099950d8),
                "1.0613447212142254e-202",
            ),
            (f64::from_bits(0xc10033250fb807b4), "-132708.63267522829"),
            (f64::from_bits(0x3d9c172411e20b8f), "6.3870161585135632e-12"),
            (f64::from_bits(0xc128fb1bf255fc60), "-818573.9733122699"),
            (
                f64::from_bits(0x0f21ddb66cad4a26),
                "8.7797532256802712e-236",
            ),
            (f64::from_bits(0x4123f3107faa06d8), "653704.24934407603"),
            (
                f64::from_bits(0xf28c105d1fb17c23),
                "-5.9881801593860111e+243",
            ),
            (f64::from_bits(0xc120e464243e0f0c), "-553522.07078597089"),
            (
                f64::from_bits(0x953f48f1a09f76b5),
                "-2.4361176994848409e-206",
            ),
            (f64::from_bits(0x412b5373c5137304), "895417.88491401123"),
            (
                f64::from_bits(0x95e60af593bd04cf),
                "-3.5152797062666699e-203",
            ),
            (f64::from_bits(0xc109397867d49564), "-206639.05069843971"),
            (f64::from_bits(0x3898d190f9ebdacc), "4.6678633181812096e-36"),
            (f64::from_bits(0xc12baca5470c238f), "-906834.63876448746"),
            (
                f64::from_bits(0x2217beaddbc496cb),
                "1.9015657400796622e-144",
            ),
            (f64::from_bits(0xc119aeb5b597bcf6), "-420781.42733664752"),
            (
                f64::from_bits(0x8a6a63ec24ede6a4),
                "-1.7163996725272777e-258",
            ),
            (f64::from_bits(0xc12753ff0c352f28), "-764415.52384326328"),
            (
                f64::from_bits(0x8f6d05584ef8aa38),
                "-2.2818334634712625e-234",
            ),
            (f64::from_bits(0x41234b796fbd2958), "632252.71824006271"),
            (
                f64::from_bits(0x1a61dbe22e44158b),
                "1.3449551894627777e-181",
            ),
            (f64::from_bits(0x4103ec029e5c88c0), "163200.32732493244"),
            (f64::from_bits(0x301850c5a38fd547), "5.2498223088143036e-77"),
            (f64::from_bits(0xc10f272750fed2dc), "-255204.91454853758"),
            (
                f64::from_bits(0xb64ce4228c38fb29),
                "-3.9536256982247919e-47",
            ),
            (f64::from_bits(0xc12aaf6c19a097da), "-874422.05005335365"),
            (
                f64::from_bits(0x9e7769b10f4205b4),
                "-6.5051418615487723e-162",
            ),
            (f64::from_bits(0xc121f2652612b0c2), "-588082.57436134689"),
            (
                f64::from_bits(0x881ed162ae2eb154),
                "-1.4583679262758548e-269",
            ),
            (f64::from_bits(0xc101ad7b1bfa6674), "-144815.38866119424"),
            (
                f64::from_bits(0x7731af10506bf2ef),
                "1.4255183989699612e+266",
            ),
            (f64::from_bits(0x4104e39dd0ed62c0), "171123.72701527737"),
            (f64::from_bits(0x5c90a9587403e430), "7.750545741548908e+137"),
            (f64::from_bits(0xc1187148066c556e), "-400466.00627263531"),
            (f64::from_bits(0x2e05319acb5c7427), "5.3269600817830169e-87"),
            (f64::from_bits(0x41184a93784735a0), "397988.86745914258"),
            (
                f64::from_bits(0x14f4733f3e7d1bfb),
                "9.9526840090024479e-208",
            ),
            (f64::from_bits(0x41022b7b5d383238), "148847.42051734193"),
            (
                f64::from_bits(0x7ebff20686734721),
                "3.4229783989470719e+302",
            ),
            (f64::from_bits(0x4126e585fb7799d8), "750274.99114685785"),
            (
                f64::from_bits(0x72e6cc3ababced20),
                "3.1132849561694472e+245",
            ),
            (f64::from_bits(0xc119e2f1e18140fe), "-424124.47021962691"),
            (
                f64::from_bits(0x12bd4acefaecbd38),
                "2.0745096302730225e-218",
            ),
            (f64::from_bits(0xc1274fb8e3112197), "-763868.44349007576"),
            (
                f64::from_bits(0x2a3af4d46b0a18e8),
                "2.9383455973541661e-105",
            ),
            (f64::from_bits(0x411f63a76fbfe7cc), "514281.85913049872"),
            (
                f64::from_bits(0xeeeacbe226e87555),
                "-1.9837344250050814e+226",
            ),
            (f64::from_bits(0xc0d58e73239bda80), "-22073.799048388842"),
            (
                f64::from_bits(0xf646e1f40a097c97),
                "-5.629271400715247e+261",
            ),
            (f64::from_bits(0x411488beda2eb478), "336431.71306879027"),
            (
                f64::from_bits(0x8ede0d7ac3baea9e),
                "-4.6151547070255599e-237",
            ),
            (f64::from_bits(0x4101d41f0b604c58), "146051.88055476802"),
            (
                f64::from_bits(0xd17f9acae01f5057),
                "-3.8373366379117136e+84",
            ),
            (f64::from_bits(0xc116bc63e5afe5a4), "-372504.97430380643"),
            (
                f64::from_bits(0x59a54a7bb1fee08f),
                "7.0372547696645247e+123",
            ),
            (f64::from_bits(0x41070a1e089f4598), "188739.75421003695"),
            (
                f64::from_bits(0xcc011cdd9474031b),
                "-1.3427313830183207e+58",
            ),
            (f64::from_bits(0xc0f5625565fa9438), "-87589.337397173862"),
            (
                f64::from_bits(0x17f5e837d70820fe),
                "3.0010119427191346e-193",
            ),
            (f64::from_bits(0x412b24246163f9a4), "889362.19021587493"),
            (f64::from_bits(0xb2715945795e8229), "-1.029599445714058e-65"),
            (f64::from_bits(0x411409c1a4cfe7f8), "328304.41094934894"),
            (f64::from_bits(0xbb2d420f0f88080b), "-1.210084267904234e-23"),
            (f64::from_bits(0x411898a02ba1a760), "402984.04260884784"),
            (
                f64::from_bits(0x93f448b3a5aa3c81),
                "-1.5063173670565552e-212",
            ),
            (f64::from_bits(0x412e189fc2038a94), "986191.87893326813"),
            (
                f64::from_bits(0x72158370d269a9a5),
                "3.5862982565236525e+241",
            ),
            (f64::from_bits(0xc11a4b63be456c36), "-430808.93581170158"),
            (
                f64::from_bits(0xe315128862c33a4f),
                "-1.9881605394901064e+169",
            ),
            (f64::from_bits(0x41149665ba217d40), "337305.43176837638"),
            (
                f64::from_bits(0xf0ce583505c6af07),
                "-2.412056419517317e+235",
            ),
            (f64::from_bits(0xc0f2b416d6a1df98), "-76609.427400468267"),
        ];
        for (d, text) in cases {
            assert_eq!(format_double(*d), *text, "bits {:#x}", d.to_bits());
        }
    }
}
