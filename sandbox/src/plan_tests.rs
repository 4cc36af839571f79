//! Unit tests of `plan.rs`.
use super::*;

fn sample() -> PlanSpec {
    PlanSpec {
        mode: Mode::Join,
        program: b"/bin/sh".to_vec(),
        argv: vec![b"/bin/sh".to_vec(), b"-c".to_vec(), "echo \u{e9}".as_bytes().to_vec()],
        env: vec![b"A=1".to_vec(), b"EMPTY=".to_vec()],
        cwd: b"/workspace/sub".to_vec(),
        code_path: b"/tmp/.hopx/run-1.sh".to_vec(),
        ro_paths: vec![PathBuf::from("/opt/py")],
        network: false,
        disk_bytes: 1 << 30,
        disk_inodes: 1000,
        port: 0,
        seed: vec![(b"/tmp/a".to_vec(), b"x\0y".to_vec())],
        ids: IdMode::Unprivileged { uid: 1001, gid: 1002 },
        rlimits: vec![(libc::RLIMIT_CORE, 0), (libc::RLIMIT_NOFILE, u64::MAX)],
        fds: FdNumbers {
            stdin: None,
            stdout: 10,
            stderr: 11,
            extra: vec![14, 15],
            status: 12,
            ready: 13,
            go: 16,
            engine_pidfd: 17,
            holder: 18,
            code: 19,
            cgroups: vec![20, 21],
            reply: -1,
        },
    }
}

#[test]
fn round_trips() {
    let spec = sample();
    assert_eq!(PlanSpec::decode(&spec.encode()).unwrap(), spec);
    let root = PlanSpec { ids: IdMode::Root, network: true, mode: Mode::Holder, ..sample() };
    let mut with_stdin = root.clone();
    with_stdin.fds.stdin = Some(9);
    assert_eq!(PlanSpec::decode(&with_stdin.encode()).unwrap(), with_stdin);
    let mut plain = PlanSpec { mode: Mode::Unisolated, ..sample() };
    (plain.fds.ready, plain.fds.go, plain.fds.holder) = (-1, -1, -1);
    plain.fds.cgroups.clear();
    assert_eq!(PlanSpec::decode(&plain.encode()).unwrap(), plain);
    let empty = PlanSpec::empty(Mode::Holder, IdMode::Root);
    assert_eq!(PlanSpec::decode(&empty.encode()).unwrap(), empty);
    let mut connect = PlanSpec::empty(Mode::Connect, IdMode::Unprivileged { uid: 1001, gid: 1002 });
    connect.port = 65535;
    (connect.fds.status, connect.fds.engine_pidfd, connect.fds.holder, connect.fds.reply) = (3, 4, 5, 6);
    assert_eq!(PlanSpec::decode(&connect.encode()).unwrap(), connect);
    assert_eq!(connect.fds.all(), vec![3, 4, 5, 6]);
    assert_eq!(connect.fds.map(|x| x + 100).reply, 106);
    assert_eq!(connect.build().unwrap().port, 65535);
}

#[test]
fn refuses_a_port_out_of_range() {
    let mut connect = PlanSpec::empty(Mode::Connect, IdMode::Root);
    connect.port = 80;
    let mut bytes = connect.encode();
    let at = bytes.windows(8).position(|w| w == 80u64.to_le_bytes()).unwrap();
    bytes[at..at + 8].copy_from_slice(&65536u64.to_le_bytes());
    assert!(PlanSpec::decode(&bytes).is_err());
}

#[test]
fn refuses_truncated_or_padded_data() {
    let bytes = sample().encode();
    for cut in [0, 7, bytes.len() / 2, bytes.len() - 1] {
        assert!(PlanSpec::decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(PlanSpec::decode(&padded).is_err());
    // A huge length (here the program's, after the mode word) must fail cleanly, not try
    // to allocate.
    let mut huge = bytes.clone();
    huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(PlanSpec::decode(&huge).is_err());
    let mut bad_mode = bytes;
    bad_mode[0] = 9;
    assert!(PlanSpec::decode(&bad_mode).is_err());
}

#[test]
fn keeps_every_descriptor_once() {
    let mut f = sample().fds;
    f.stdin = Some(10);
    assert_eq!(f.all(), vec![10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    assert_eq!(f.map(|x| x + 100).stdout, 110);
    assert_eq!(f.map(|x| x + 100).cgroups, vec![120, 121]);
    (f.ready, f.go, f.holder) = (-1, -1, -1);
    assert_eq!(f.all(), vec![10, 11, 12, 14, 15, 17, 19, 20, 21]);
    assert_eq!(f.map(|x| x + 100).go, -1);
}

#[test]
fn build_refuses_nul_in_strings_and_half_a_code_file() {
    let mut spec = sample();
    spec.env.push(b"BAD=a\0b".to_vec());
    assert!(spec.build().is_err());
    let mut no_fd = sample();
    no_fd.fds.code = -1;
    assert!(no_fd.build().is_err());
    let mut nul_seed = PlanSpec { mode: Mode::Holder, ro_paths: Vec::new(), ..sample() };
    nul_seed.seed.push((b"/tmp/a\0b".to_vec(), Vec::new()));
    assert!(nul_seed.build().is_err());
}
