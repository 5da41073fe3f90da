use pumprig_sim::physiology::*;
fn session(m: &mut Mother, dur_s: f64, both: bool) -> [f64; 2] {
    let dt = 1e-3;
    let n = (dur_s / dt) as u64;
    let r0 = [m.breast(0).removed_ml, m.breast(1).removed_ml];
    for k in 0..n {
        let t = k as f64 * dt;
        let (v, r) = if t < 120.0 {
            (80.0, 110.0)
        } else {
            (190.0, 54.0)
        };
        let ph = (t * r / 60.0).fract();
        let vv = if ph < 0.5 { v } else { 0.0 };
        let nip = Some(Nipple {
            vacuum_mmhg: vv,
            duct_openness: 1.0,
            comfort: 1.0,
            tactile_stretch_per_s: 0.0,
        });
        let nips = if both { [nip, nip] } else { [nip, None] };
        m.step(dt, &nips);
    }
    [
        m.breast(0).removed_ml - r0[0],
        m.breast(1).removed_ml - r0[1],
    ]
}
fn course(gap: f64, months: f64, times: &[f64], both: bool, days: u32) -> String {
    let mut p = MotherParams::default();
    p.lactation = LactationState::Weaned;
    p.days_weaned = gap;
    p.months_postpartum = months;
    p.clock_start_h = 0.0;
    let mut m = Mother::new(&p, 1).unwrap();
    let (mut first, mut d70, mut d350, mut d650, mut left175) = (0, 0, 0, 0, 0);
    let mut line = String::new();
    for day in 1..=days {
        let mut tot = [0.0; 2];
        for &h in times {
            let start = (day - 1) as f64 * 86400.0 + h * 3600.0;
            let gap = start - m.time_s();
            if gap > 0.0 {
                m.rest(gap);
            }
            let r = session(&mut m, 900.0, both);
            if first == 0 && r[0] + r[1] >= 0.2 {
                first = day;
            }
            tot[0] += r[0];
            tot[1] += r[1];
        }
        let t = tot[0] + tot[1];
        if d70 == 0 && t >= 70.0 {
            d70 = day;
        }
        if d350 == 0 && t >= 350.0 {
            d350 = day;
        }
        if d650 == 0 && t >= 650.0 {
            d650 = day;
        }
        if left175 == 0 && tot[0] >= 175.0 {
            left175 = day;
        }
        if day % 7 == 0 {
            line += &format!(" d{day}:{t:.0}");
        }
    }
    format!("first {first} d70 {d70} d350 {d350} d650 {d650} left175 {left175} |{line}")
}
fn main() {
    if std::env::args().nth(1).as_deref() == Some("state") {
        for gap in [0.0, 3.0, 7.0, 14.0, 28.0, 56.0] {
            let mut p = MotherParams::default();
            p.lactation = LactationState::Weaned;
            p.days_weaned = gap;
            let m = Mother::new(&p, 1).unwrap();
            println!(
                "gap {gap}: a {:.3e} M {:.3} stored {:.1} prl {:.1} cap {:.3}",
                m.secretory(0).activation,
                m.secretory(0).mass,
                m.stored_ml(),
                m.outputs().prolactin_ng_ml,
                m.secretory(0).capacity_ml_h()
            );
        }
        return;
    }
    let e8 = [0.5, 3.5, 6.5, 9.5, 12.5, 15.5, 18.5, 21.5];
    let e12: Vec<f64> = (0..12).map(|k| 0.5 + 2.0 * k as f64).collect();
    let day8 = [7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0, 21.0];
    let days: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(60);
    let cases: Vec<(&str, f64, f64, Vec<f64>, bool)> = vec![
        ("base 8/day", 28.0, 3.0, e8.to_vec(), true),
        ("12/day", 28.0, 3.0, e12.clone(), true),
        ("daytime 8", 28.0, 3.0, day8.to_vec(), true),
        ("single", 28.0, 3.0, e8.to_vec(), false),
        ("gap 14", 14.0, 3.0, e8.to_vec(), true),
        ("gap 56", 56.0, 3.0, e8.to_vec(), true),
        ("older 9m", 28.0, 9.0, e8.to_vec(), true),
    ];
    std::thread::scope(|s| {
        let hs: Vec<_> = cases
            .iter()
            .map(|c| s.spawn(move || format!("{:<11} {}", c.0, course(c.1, c.2, &c.3, c.4, days))))
            .collect();
        for h in hs {
            println!("{}", h.join().unwrap());
        }
    });
}
