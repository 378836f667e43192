//===- asan_interface.h - No manual poisoning in the fuzzing build --------===//
//
// Found before clang's own header in a KILN_FUZZ build. LLVM's inline
// BumpPtrAllocator poisons new slabs and unpoisons each allocation when the
// including file is built with ASan; Debian's libMLIR.so is not, so memory
// its own (uninstrumented) code takes from a slab our code started stays
// poisoned and ASan reports a use-after-poison that is not there. Only that
// manual poisoning is turned off: ASan still checks every access.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FUZZ_ASAN_INTERFACE_SHIM_H
#define KILN_FUZZ_ASAN_INTERFACE_SHIM_H

#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))

#endif // KILN_FUZZ_ASAN_INTERFACE_SHIM_H
