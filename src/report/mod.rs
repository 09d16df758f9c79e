//! `report`: one module per output format. Reporters only format; they never re-read files.

pub mod human;
pub mod json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
