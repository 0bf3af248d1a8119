use contractc_emit::{EmitError, Options, OutputFile, Templates};
use contractc_ir::Program;
pub fn emit(_program: &Program, _templates: &Templates, _options: &Options) -> Result<Vec<OutputFile>, EmitError> {
    Ok(Vec::new())
}
