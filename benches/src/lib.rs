//! What the benches and the instruction harness share beyond the workloads
//! of `common/`: the floor layer.

pub mod floor;
