//! CPU use during a load phase, from Linux's `/proc`: the server process's CPU time
//! (`utime + stime` of `/proc/<pid>/stat`, all its threads), the load generator's (this process,
//! `/proc/self/stat`), both in percent of all cores over the phase, and the whole machine's busy
//! share (`/proc/stat`: all CPUs, 100 % minus idle and iowait). Take a [`CpuSample`] before and
//! after the phase; [`CpuUse::between`] gives the percentages.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

/// The cores the percentages are of: `std::thread::available_parallelism`.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Clock ticks per second of `/proc` CPU times: `getconf CLK_TCK`, else Linux's `USER_HZ`, 100.
pub fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|ticks| *ticks > 0.0)
            .unwrap_or(100.0)
    })
}

/// `utime + stime` (all threads, in clock ticks) from the text of `/proc/<pid>/stat`.
fn process_ticks(stat: &str) -> Option<u64> {
    // The command name, in parentheses, may hold spaces and parentheses: count the fields after
    // its last `)`. They start at the state (field 3), so utime and stime (fields 14 and 15) are
    // the 12th and 13th.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Busy and total clock ticks of all CPUs from the text of `/proc/stat`: the total is user,
/// nice, system, idle, iowait, irq, softirq and steal (guest time is already counted in user
/// and nice); busy is the total without idle and iowait.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    if fields.len() < 5 {
        return None;
    }
    let total: u64 = fields.iter().sum();
    Some((total - fields[3] - fields[4], total))
}

fn read_proc(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {path} (Linux only): {err}"))
}

/// CPU times at one instant: the server's, the load generator's (this process) and the
/// machine's.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    at: Instant,
    server_ticks: u64,
    own_ticks: u64,
    machine_busy: u64,
    machine_total: u64,
}

impl CpuSample {
    /// Reads the CPU times of the process `server_pid`, of this process and of the machine.
    pub fn take(server_pid: u32) -> Result<CpuSample, String> {
        let server_path = format!("/proc/{server_pid}/stat");
        let server_ticks = process_ticks(&read_proc(&server_path)?)
            .ok_or_else(|| format!("no utime and stime in {server_path}"))?;
        let own_ticks = process_ticks(&read_proc("/proc/self/stat")?)
            .ok_or("no utime and stime in /proc/self/stat")?;
        let (machine_busy, machine_total) =
            machine_ticks(&read_proc("/proc/stat")?).ok_or("no `cpu` line in /proc/stat")?;
        Ok(CpuSample {
            at: Instant::now(),
            server_ticks,
            own_ticks,
            machine_busy,
            machine_total,
        })
    }
}

/// The CPU used between two samples, in percent of all cores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUse {
    /// The server's CPU time over the elapsed time times [`cores`].
    pub server: f64,
    /// The load generator's (this process's) CPU time, likewise.
    pub load_generator: f64,
    /// The machine's busy ticks over all its ticks.
    pub machine_busy: f64,
}

impl CpuUse {
    /// The CPU used from `before` to `after`.
    pub fn between(before: &CpuSample, after: &CpuSample) -> CpuUse {
        CpuUse::of_ticks(
            before,
            after,
            (after.at - before.at).as_secs_f64(),
            cores(),
            clock_ticks_per_second(),
        )
    }

    fn of_ticks(
        before: &CpuSample,
        after: &CpuSample,
        seconds: f64,
        cores: usize,
        ticks_per_second: f64,
    ) -> CpuUse {
        let capacity = seconds * cores as f64 * ticks_per_second;
        let share = |ticks: u64, of: f64| {
            if of > 0.0 {
                ticks as f64 / of * 100.0
            } else {
                0.0
            }
        };
        let machine_total = after.machine_total.saturating_sub(before.machine_total);
        CpuUse {
            server: share(
                after.server_ticks.saturating_sub(before.server_ticks),
                capacity,
            ),
            load_generator: share(after.own_ticks.saturating_sub(before.own_ticks), capacity),
            machine_busy: share(
                after.machine_busy.saturating_sub(before.machine_busy),
                machine_total as f64,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_times_are_read_after_the_command_name() {
        let stat = "4242 (bench server) S 1 4242 4242 0 -1 4194560 1869 0 0 0 \
                    150 25 0 0 20 0 9 0 123 456 789";
        assert_eq!(process_ticks(stat), Some(175));
        let tricky = "7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0";
        assert_eq!(process_ticks(tricky), Some(7));
        assert_eq!(process_ticks("7 (short) R 1 2"), None);
    }

    #[test]
    fn the_machine_is_busy_outside_idle_and_iowait() {
        let stat = "cpu  100 10 40 800 50 0 0 0 7 0\ncpu0 50 5 20 400 25 0 0 0 0 0\n";
        assert_eq!(machine_ticks(stat), Some((150, 1000)));
        assert_eq!(machine_ticks("cpu0 1 2 3 4 5\n"), None);
    }

    #[test]
    fn use_is_a_share_of_all_cores_over_the_phase() {
        let at = Instant::now();
        let before = CpuSample {
            at,
            server_ticks: 1000,
            own_ticks: 50,
            machine_busy: 10_000,
            machine_total: 40_000,
        };
        let after = CpuSample {
            at,
            server_ticks: 1300,
            own_ticks: 150,
            machine_busy: 10_450,
            machine_total: 40_600,
        };
        // 3 s on 2 cores at 100 ticks per second: 600 ticks of capacity.
        let used = CpuUse::of_ticks(&before, &after, 3.0, 2, 100.0);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(used.server, 50.0), "{used:?}");
        assert!(close(used.load_generator, 100.0 / 6.0), "{used:?}");
        assert!(close(used.machine_busy, 75.0), "{used:?}");
        let none = CpuUse::of_ticks(&before, &before, 0.0, 2, 100.0);
        assert_eq!(none.server, 0.0);
        assert_eq!(none.machine_busy, 0.0);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let sample = CpuSample::take(std::process::id()).expect("/proc is readable");
        assert!(sample.machine_total >= sample.machine_busy);
        assert!(clock_ticks_per_second() > 0.0);
        assert!(cores() >= 1);
    }
}
