//! The command line of DESIGN.md: `serve [--addr A] [--database-url U]` (the default),
//! `health [--database-url U]`, `schema` and `docs --out DIR`. Failures end with one line on stderr and a non-zero status, never a panic.

use std::net::SocketAddr;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve {
        addr: SocketAddr,
        database_url: String,
    },
    Schema,
    /// Run the readiness checks (database, Redis when configured, schema) and exit non-zero
    /// when one fails: a container's HEALTHCHECK.
    Health {
        database_url: String,
    },
    /// Write the API documentation's Markdown files into the directory.
    Docs {
        out: std::path::PathBuf,
    },
    Help,
}

/// The embedded SQLite file used when no database is named.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://example-app.sqlite?mode=rwc";

pub const USAGE: &str = "usage: example-app [serve [--addr HOST:PORT] [--database-url URL]] | health [--database-url URL] | schema | docs --out DIR\n\
  serve   (default) serve /graphql on 127.0.0.1:8000 over DATABASE_URL or an embedded SQLite file\n\
  health  check the database, Redis (REDIS_URL) and the schema as GET /ready does; exit 1 when one fails\n\
  schema  print the GraphQL SDL\n\
  docs    write schema.md, queries.md, mutations.md and subscriptions.md into DIR";

/// Parses the arguments after the program name; `env_url` is `DATABASE_URL`.
pub fn parse(args: &[String], env_url: Option<String>) -> Result<Command, String> {
    let addr: SocketAddr = "127.0.0.1:8000".parse().expect("valid address");
    let database_url = env_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    match args.first().map(String::as_str) {
        None => parse_serve(&[], addr, database_url),
        Some("serve") => parse_serve(&args[1..], addr, database_url),
        Some(flag) if flag.starts_with("--") && flag != "--help" => {
            parse_serve(args, addr, database_url)
        }
        Some("health") => match &args[1..] {
            [] => Ok(Command::Health { database_url }),
            [flag, url] if flag == "--database-url" => Ok(Command::Health {
                database_url: url.clone(),
            }),
            _ => Err("`health` takes `--database-url URL` or nothing".to_owned()),
        },
        Some("schema") if args.len() == 1 => Ok(Command::Schema),
        Some("schema") => Err(format!("`schema` takes no arguments, got `{}`", args[1])),
        Some("docs") => match &args[1..] {
            [flag, dir] if flag == "--out" => Ok(Command::Docs { out: dir.into() }),
            _ => Err("`docs` takes `--out DIR`".to_owned()),
        },
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some(other) => Err(format!("unknown command `{other}`")),
    }
}

fn parse_serve(
    args: &[String],
    mut addr: SocketAddr,
    mut database_url: String,
) -> Result<Command, String> {
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match flag.as_str() {
            "--addr" => {
                let text = value("--addr")?;
                addr = text.parse().map_err(|_| {
                    format!("`--addr {text}` is not HOST:PORT, such as 127.0.0.1:8000")
                })?;
            }
            "--database-url" => database_url = value("--database-url")?,
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(Command::Serve { addr, database_url })
}

/// `url` with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn commands() {
        let default = Command::Serve {
            addr: "127.0.0.1:8000".parse().unwrap(),
            database_url: DEFAULT_DATABASE_URL.into(),
        };
        assert_eq!(parse(&args(&[]), None).unwrap(), default);
        assert_eq!(parse(&args(&["schema"]), None).unwrap(), Command::Schema);
        assert_eq!(
            parse(
                &args(&[
                    "serve",
                    "--addr",
                    "127.0.0.1:9000",
                    "--database-url",
                    "postgres://x/y"
                ]),
                None
            )
            .unwrap(),
            Command::Serve {
                addr: "127.0.0.1:9000".parse().unwrap(),
                database_url: "postgres://x/y".into()
            }
        );
        assert_eq!(
            parse(&args(&["--database-url", "sqlite::memory:"]), None).unwrap(),
            Command::Serve {
                addr: "127.0.0.1:8000".parse().unwrap(),
                database_url: "sqlite::memory:".into()
            }
        );
        assert!(
            parse(&args(&["serve", "--addr", "nowhere"]), None)
                .unwrap_err()
                .contains("HOST:PORT")
        );
        assert!(parse(&args(&["frobnicate"]), None).is_err());
        assert_eq!(
            parse(&args(&["docs", "--out", "api"]), None).unwrap(),
            Command::Docs { out: "api".into() }
        );
        assert!(parse(&args(&["docs"]), None).is_err());
        assert!(parse(&args(&["docs", "api"]), None).is_err());
        assert!(parse(&args(&["serve", "--database-url"]), None).is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}
