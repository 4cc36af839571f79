//! The byte encoding of a plan: length-prefixed little-endian fields in a fixed order.
//!
//! Private to this crate and always written and read by the same build (the helper is embedded
//! in the engine), so it has no version. The reader refuses truncated, padded or oversized
//! input, so garbage can neither crash the helper nor make it allocate without bound.

use std::io;
use std::os::raw::c_int;

pub fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed sandbox plan: {what}"))
}

pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn fd(&mut self, fd: c_int) {
        self.u64(fd as i64 as u64);
    }
    pub fn fds(&mut self, fds: &[c_int]) {
        self.u64(fds.len() as u64);
        for &fd in fds {
            self.fd(fd);
        }
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    pub fn list(&mut self, items: &[Vec<u8>]) {
        self.u64(items.len() as u64);
        for i in items {
            self.bytes(i);
        }
    }
}

pub struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    pub fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    pub fn bool(&mut self) -> io::Result<bool> {
        Ok(self.u64()? != 0)
    }
    /// A count of items that follow; bounded by the bytes left, so garbage cannot allocate.
    pub fn count(&mut self) -> io::Result<usize> {
        let n = self.u64()?;
        if n > self.0.len() as u64 {
            return Err(bad("count larger than the data"));
        }
        Ok(n as usize)
    }
    pub fn fd(&mut self) -> io::Result<c_int> {
        c_int::try_from(self.u64()? as i64).map_err(|_| bad("descriptor out of range"))
    }
    pub fn fds(&mut self) -> io::Result<Vec<c_int>> {
        (0..self.count()?).map(|_| self.fd()).collect()
    }
    pub fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.count()?;
        Ok(self.take(n)?.to_vec())
    }
    pub fn list(&mut self) -> io::Result<Vec<Vec<u8>>> {
        (0..self.count()?).map(|_| self.bytes()).collect()
    }
    pub fn finish(self) -> io::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("trailing bytes"))
        }
    }
}
