//! `timeseries.csv`: decimated rows with unit-named columns, written while the run streams.
//! Numbers use fixed decimals per column (enough for the quantity's precision), formatted without
//! going through `f64` Display so writing at 100 Hz stays a small share of the run's cost. A
//! firmware's own telemetry values (`fw_` columns) are written exactly, in shortest round-trip form.

use std::io::{self, Write};

use pumprig_sim::units::rad_s_to_rpm;

use crate::runner::{Sample, SampleSink};

/// Column names, in file order; the right-nipple column is present only for double pumping.
pub fn header(shields: u8) -> Vec<&'static str> {
    let mut h = vec![
        "time_s",
        "target_vacuum_mmhg",
        "vacuum_sensor_port_mmhg",
        "sensor_reading_mmhg",
        "sensor_counts",
        "vacuum_left_nipple_mmhg",
    ];
    if shields > 1 {
        h.push("vacuum_right_nipple_mmhg");
    }
    h.extend([
        "motor_duty_pct",
        "motor_speed_rpm",
        "motor_current_a",
        "valve_open",
        "controller_state",
        "leak_flow_ml_min",
        "milk_flow_left_ml_min",
    ]);
    if shields > 1 {
        h.push("milk_flow_right_ml_min");
    }
    h.push("milk_removed_left_ml");
    if shields > 1 {
        h.push("milk_removed_right_ml");
    }
    h.extend([
        "oxytocin_pg_ml",
        "prolactin_ng_ml",
        "ejection_contraction",
        "milk_ejections",
    ]);
    h
}

/// Prefix of the columns holding a firmware's own named telemetry values (`fw_<name>`).
pub const FIRMWARE_COLUMN_PREFIX: &str = "fw_";

/// Streams samples as CSV rows into any writer.
pub struct CsvSink<W: Write> {
    out: W,
    shields: u8,
    /// How many `fw_` columns follow the rig's own.
    firmware_columns: usize,
    line: Vec<u8>,
}

impl<W: Write> CsvSink<W> {
    pub fn new(out: W, shields: u8) -> io::Result<Self> {
        Self::with_firmware(out, shields, &[])
    }

    /// A sink whose rows end with one `fw_<name>` column per firmware telemetry name.
    pub fn with_firmware(mut out: W, shields: u8, firmware: &[String]) -> io::Result<Self> {
        let mut columns: Vec<String> = header(shields).into_iter().map(str::to_owned).collect();
        columns.extend(
            firmware
                .iter()
                .map(|n| format!("{FIRMWARE_COLUMN_PREFIX}{n}")),
        );
        writeln!(out, "{}", columns.join(","))?;
        Ok(Self {
            out,
            shields,
            firmware_columns: firmware.len(),
            line: Vec::with_capacity(256),
        })
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> SampleSink for CsvSink<W> {
    fn record(&mut self, s: &Sample) -> io::Result<()> {
        self.record_with_firmware(s, &[])
    }

    fn record_with_firmware(&mut self, s: &Sample, firmware: &[f64]) -> io::Result<()> {
        let p = &s.plant;
        let t = &s.actuators.telemetry;
        let l = &mut self.line;
        l.clear();
        push_time(l, s.time_ns);
        push_fixed(l, t.target_vacuum_mmhg, 1);
        push_fixed(l, p.vacuum_manifold_mmhg, 2);
        push_fixed(l, t.measured_vacuum_mmhg, 1);
        push_int(l, i64::from(s.sensor_counts));
        push_fixed(l, p.shields[0].vacuum_mmhg, 2);
        if self.shields > 1 {
            push_fixed(l, p.shields[1].vacuum_mmhg, 2);
        }
        push_fixed(l, s.actuators.motor_duty * 100.0, 1);
        push_fixed(l, rad_s_to_rpm(p.motor_speed_rad_s), 0);
        push_fixed(l, p.motor_current_a, 3);
        push_int(l, i64::from(s.actuators.valve_open));
        push_int(l, i64::from(t.state.code()));
        let leak = p.total_leak_flow_ml_min();
        push_fixed(l, leak, 2);
        let m = &p.mother;
        push_fixed(l, m.milk_flow_ml_min[0], 2);
        if self.shields > 1 {
            push_fixed(l, m.milk_flow_ml_min[1], 2);
        }
        push_fixed(l, m.milk_removed_ml[0], 2);
        if self.shields > 1 {
            push_fixed(l, m.milk_removed_ml[1], 2);
        }
        push_fixed(l, m.oxytocin_pg_ml, 2);
        push_fixed(l, m.prolactin_ng_ml, 1);
        push_fixed(l, m.contraction, 3);
        push_int(l, i64::from(m.ejections));
        for k in 0..self.firmware_columns {
            push_shortest(l, firmware.get(k).copied().unwrap_or(f64::NAN));
        }
        // Replace the trailing comma with the line end.
        if let Some(last) = l.last_mut() {
            *last = b'\n';
        }
        self.out.write_all(l)
    }
}

/// Seconds with millisecond resolution, exactly from the integer clock.
fn push_time(l: &mut Vec<u8>, time_ns: u64) {
    let ms = time_ns / 1_000_000;
    let mut b = itoa::Buffer::new();
    l.extend_from_slice(b.format(ms / 1000).as_bytes());
    l.push(b'.');
    let frac = ms % 1000;
    l.extend_from_slice(&[
        b'0' + (frac / 100) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ]);
    l.push(b',');
}

/// A firmware's own value as given: the shortest decimal that reads back to the same `f64`, in
/// exponent form where that is shorter (`1e308`, `5e-324`); `NaN`, `inf` and `-inf` as such
/// (the plots and any CSV reader read all of them back).
fn push_shortest(l: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        l.extend_from_slice(b"NaN");
    } else if v.is_infinite() {
        l.extend_from_slice(if v > 0.0 { b"inf" } else { b"-inf" });
    } else {
        l.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
    l.push(b',');
}

fn push_int(l: &mut Vec<u8>, v: i64) {
    l.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    l.push(b',');
}

/// A number rounded half away from zero to `decimals` places; NaN written as `nan` (never
/// expected: the plant reports non-finite states as errors before they get here).
fn push_fixed(l: &mut Vec<u8>, v: f64, decimals: u32) {
    if !v.is_finite() {
        l.extend_from_slice(b"nan,");
        return;
    }
    let scale = 10i64.pow(decimals);
    // Half away from zero by truncation (`round()` is a libm call on baseline x86-64).
    let x = v * scale as f64;
    let scaled = if x >= 0.0 {
        (x + 0.5) as i64
    } else {
        -((0.5 - x) as i64)
    };
    if scaled < 0 {
        l.push(b'-');
    }
    let a = scaled.unsigned_abs();
    let mut b = itoa::Buffer::new();
    l.extend_from_slice(b.format(a / scale as u64).as_bytes());
    if decimals > 0 {
        l.push(b'.');
        let frac = a % scale as u64;
        let digits = b.format(frac);
        for _ in digits.len()..decimals as usize {
            l.push(b'0');
        }
        l.extend_from_slice(digits.as_bytes());
    }
    l.push(b',');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: f64, d: u32) -> String {
        let mut l = Vec::new();
        push_fixed(&mut l, v, d);
        String::from_utf8(l).unwrap()
    }

    #[test]
    fn fixed_decimals_match_std_formatting() {
        for (v, d) in [
            (0.0, 2),
            (1.005, 1),
            (-0.04, 1),
            (190.456, 2),
            (-12.5, 0),
            (3.0, 3),
            (0.001, 3),
            (12345.678, 1),
        ] {
            let expected = format!("{:.*},", d as usize, v);
            // std rounds half to even on the binary value; ours rounds half away from zero on the
            // scaled value: they agree except exactly at ties, which these cases avoid or match.
            let ours = fixed(v, d);
            let a: f64 = ours.trim_end_matches(',').parse().unwrap();
            let b: f64 = expected.trim_end_matches(',').parse().unwrap();
            assert!(
                (a - b).abs() <= 10f64.powi(-(d as i32)) + 1e-12,
                "{v}: {ours} vs {expected}"
            );
        }
        assert_eq!(fixed(-0.04, 1), "0.0,");
        assert_eq!(fixed(-0.06, 1), "-0.1,");
        assert_eq!(fixed(2.5, 0), "3,");
    }

    #[test]
    fn firmware_values_are_written_short_and_read_back_exactly() {
        let values = [
            0.25,
            -3.0,
            210.0,
            1e308,
            5e-324,
            -1.5e-7,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut l = Vec::new();
        for v in values {
            push_shortest(&mut l, v);
        }
        let text = String::from_utf8(l).unwrap();
        assert_eq!(text, "0.25,-3.0,210.0,1e308,5e-324,-1.5e-7,NaN,inf,-inf,");
        for (field, v) in text.trim_end_matches(',').split(',').zip(values) {
            let back: f64 = field.parse().unwrap();
            assert!(back == v || (back.is_nan() && v.is_nan()), "{field}");
        }
    }

    #[test]
    fn time_is_exact_from_the_integer_clock() {
        let mut l = Vec::new();
        push_time(&mut l, 123_450_000_000);
        assert_eq!(l, b"123.450,");
    }
}
