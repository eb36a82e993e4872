fn main() -> std::process::ExitCode {
    ossweep::cli::main()
}
