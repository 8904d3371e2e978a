//! Lossless round trip: parse then print gives the same bytes, for every
//! INI file in examples/conf and tests/data.

use std::path::Path;

use stackauth::source::ini::IniDocument;

fn ini_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            ini_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "conf" || x == "ini") {
            out.push(p);
        }
    }
}

#[test]
fn every_ini_file_round_trips_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    ini_files(&root.join("examples/conf"), &mut files);
    ini_files(&root.join("tests/data"), &mut files);
    assert!(files.len() >= 4, "expected the example and test corpus, found {files:?}");
    let mut parsed = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("utf-8");
        // Files that are meant to be invalid still round trip through the
        // document (their bad lines are kept as they are).
        let (doc, _errors) = stackauth::source::ini::parse(&text);
        assert_eq!(doc.to_string(), text, "{} does not round trip", f.display());
        if IniDocument::parse(&text).is_ok() {
            parsed += 1;
        }
    }
    assert!(parsed >= 4);
}

#[test]
fn odd_bytes_round_trip() {
    for text in [
        "",
        "\n",
        "\r\n\r\n",
        "[g]",
        "[g]\na = 1",
        "\u{feff}",
        "\u{feff}[g]\r\na=1\rb=2\n",
        "[g]\n  \t \na = x\n\t  cont  \n",
        "[ünïcødé]\nkéy = välue ✓\n",
        "# only a comment",
        "[g]\nbad line\n[\n",
    ] {
        let (doc, _) = stackauth::source::ini::parse(text);
        assert_eq!(doc.to_string(), text);
    }
}
