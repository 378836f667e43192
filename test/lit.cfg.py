# lit configuration for Kiln's tests.
import os
import lit.formats

config.name = "Kiln"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".py", ".c"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
# Tests trace models with PyTorch at test time; keep it deterministic and
# quiet, and keep the user's site packages out.
config.environment["PYTHONDONTWRITEBYTECODE"] = "1"
config.environment["OMP_NUM_THREADS"] = "1"
config.environment["PYTHONPATH"] = os.path.join(config.test_source_root, "lib")

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%kiln_runtime_lib", config.runtime_lib))
config.substitutions.append(("%kiln_runtime_include", config.runtime_include))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_obj", config.kiln_obj_root))
config.substitutions.append(("%test_lib", os.path.join(config.test_source_root, "lib")))

