/* Pieces shared by the runtime's sources; not part of the public ABI. */
#ifndef KILN_RUNTIME_INTERNAL_H
#define KILN_RUNTIME_INTERNAL_H
#include <stdint.h>

/* How many parts a parallel region asked for `requested` threads (0: all
 * online cores) runs in: at least 1, at most the online cores. */
int64_t kiln_pool_threads(int64_t requested);

/* Runs fn(ctx, i) for every i < parts, on the calling thread and the
 * pool's workers; returns when all are done. When the pool is busy with
 * another caller's region, runs every part on the calling thread. */
void kiln_pool_run(int64_t parts, void (*fn)(void *ctx, int64_t part),
                   void *ctx);
#endif
