/*
 * The C side of org.conv4j.onednn.OverheadProbe: the native calls one conv4j oneDNN call makes (two data
 * handles set, execute, wait), made reps times back to back from C on the same primitive, stream, memory
 * objects and argument array. Returns nanoseconds per call, or minus the dnnl status of a failed call.
 * Built by `make -C native probe`.
 */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

double c_loop(dnnl_primitive_t prim, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args,
        dnnl_memory_t src_mem, dnnl_memory_t dst_mem, void *src, void *dst, long reps) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long r = 0; r < reps; r++) {
        dnnl_status_t s = dnnl_memory_set_data_handle(src_mem, src);
        if (s == dnnl_success) s = dnnl_memory_set_data_handle(dst_mem, dst);
        if (s == dnnl_success) s = dnnl_primitive_execute(prim, stream, nargs, args);
        if (s == dnnl_success) s = dnnl_stream_wait(stream);
        if (s != dnnl_success) return -(double) s;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double) reps;
}
