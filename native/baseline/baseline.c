/*
 * conv4j's native baseline: times the benchmark shapes of shared/shapes.md through oneDNN's C API, with the same
 * libdnnl.so.3 the Java onednn engine loads, so the Java engines can be reported as a ratio to native oneDNN.
 *
 * Activations are user tensors in NHWC (as conv4j passes them); convolution weights use the layout oneDNN
 * prefers (format tag "any"), reordered once before timing, as a prepared conv4j operation does.
 *
 * The thread count is OpenMP's: set OMP_NUM_THREADS (and OMP_WAIT_POLICY=PASSIVE on a shared machine) before
 * starting; libgomp reads them when it loads, so this program cannot change them itself.
 *
 * Output: CSV on stdout, one row per shape and dtype; unsupported cases are reported on stderr and skipped.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oneapi/dnnl/dnnl.h"

enum kind { CONV, DWCONV, MAXPOOL, AVGPOOL, LRN };

/* One row of shared/shapes.md. For pooling, fh/fw is the window; for LRN, fh is the depth radius. */
struct shape {
    const char *id;
    enum kind kind;
    int n, h, w, c, k, fh, fw, stride, same;
};

static const struct shape SHAPES[] = {
    {"S1", CONV, 1, 150, 100, 3, 200, 5, 5, 1, 1},
    {"S2", CONV, 2, 427, 640, 3, 2, 7, 7, 2, 1},
    {"R1", CONV, 1, 224, 224, 3, 64, 7, 7, 2, 1},
    {"R2", CONV, 1, 56, 56, 64, 64, 3, 3, 1, 1},
    {"R3", CONV, 1, 28, 28, 128, 128, 3, 3, 1, 1},
    {"R4", CONV, 1, 14, 14, 256, 256, 3, 3, 1, 1},
    {"R5", CONV, 1, 7, 7, 512, 512, 3, 3, 1, 1},
    {"R6", CONV, 1, 56, 56, 64, 256, 1, 1, 1, 1},
    {"R7", CONV, 1, 56, 56, 256, 512, 1, 1, 2, 1},
    {"A1", CONV, 1, 227, 227, 3, 96, 11, 11, 4, 0},
    {"G1", CONV, 1, 28, 28, 16, 32, 5, 5, 1, 1},
    {"D1", DWCONV, 1, 112, 112, 32, 32, 3, 3, 1, 1},
    {"B32", CONV, 32, 56, 56, 64, 64, 3, 3, 1, 1},
    {"P1", MAXPOOL, 1, 112, 112, 64, 64, 3, 3, 2, 1},
    {"P2", AVGPOOL, 32, 7, 7, 2048, 2048, 7, 7, 1, 0},
    {"P3", MAXPOOL, 2, 427, 640, 3, 3, 2, 2, 2, 0},
    {"L1", LRN, 1, 55, 55, 96, 96, 2, 0, 1, 1},
};
#define NSHAPES ((int) (sizeof SHAPES / sizeof SHAPES[0]))

/* TensorFlow's LRN parameters for L1; oneDNN divides alpha by the window size, TensorFlow does not. */
static const float LRN_ALPHA_TF = 2e-5f, LRN_BETA = 0.75f, LRN_K = 1.0f;

struct options {
    double warmup_s, sample_s;
    int samples, header, threads;
    char shapes[256];
    char dtypes[64];
};

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + t.tv_nsec * 1e-9;
}

static void die(const char *what, dnnl_status_t st) {
    fprintf(stderr, "baseline: %s failed with dnnl status %d\n", what, (int) st);
    exit(2);
}

#define CHECK(call)                                                                                                    \
    do {                                                                                                               \
        dnnl_status_t st_ = (call);                                                                                    \
        if (st_ != dnnl_success) die(#call, st_);                                                                      \
    } while (0)

/* TensorFlow SAME/VALID: output size and the zero padding before/after (the odd cell goes after). */
static void tf_padding(int in, int window, int stride, int same, int *out, int *before, int *after) {
    if (same) {
        *out = (in + stride - 1) / stride;
        int total = (*out - 1) * stride + window - in;
        if (total < 0) total = 0;
        *before = total / 2;
        *after = total - *before;
    } else {
        *out = (in - window) / stride + 1;
        *before = *after = 0;
    }
}

/* FLOPs with the same definitions as conv4j's Cost: 2 per multiply-add; one per window cell for pooling;
 * (2 * window + 4) per element for LRN. */
static double flops(const struct shape *s, int oh, int ow) {
    double out = (double) s->n * oh * ow;
    switch (s->kind) {
    case CONV: return 2.0 * out * s->k * s->fh * s->fw * s->c;
    case DWCONV: return 2.0 * out * s->k * s->fh * s->fw;
    case MAXPOOL:
    case AVGPOOL: return out * s->c * s->fh * s->fw;
    case LRN: return (double) s->n * s->h * s->w * s->c * (2.0 * (2 * s->fh + 1) + 4);
    }
    return 0;
}

static dnnl_data_type_t parse_dtype(const char *d) {
    if (!strcmp(d, "f32")) return dnnl_f32;
    if (!strcmp(d, "bf16")) return dnnl_bf16;
    if (!strcmp(d, "f16")) return dnnl_f16;
    return dnnl_data_type_undef;
}

static uint16_t to_bf16(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return (uint16_t) ((b + 0x7fff + ((b >> 16) & 1)) >> 16);
}

static uint16_t to_f16(float f) {
    /* Only small normal values in [-1, 1] are stored here, so a plain conversion without subnormals suffices. */
    uint32_t b;
    memcpy(&b, &f, 4);
    uint32_t sign = (b >> 16) & 0x8000, mant = b & 0x7fffff;
    int exp = (int) ((b >> 23) & 0xff) - 127 + 15;
    if (exp <= 0) return (uint16_t) sign;
    return (uint16_t) (sign | (uint32_t) exp << 10 | mant >> 13);
}

/* Fills a plain buffer of n elements of dtype dt with values in [-1, 1] from a fixed seed. */
static void fill(void *buf, size_t n, dnnl_data_type_t dt, uint32_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        float v = (float) (seed >> 8) / (float) (1u << 24) * 2.0f - 1.0f;
        if (dt == dnnl_f32) ((float *) buf)[i] = v;
        else if (dt == dnnl_bf16) ((uint16_t *) buf)[i] = to_bf16(v);
        else ((uint16_t *) buf)[i] = to_f16(v);
    }
}

static size_t dt_size(dnnl_data_type_t dt) {
    return dt == dnnl_f32 ? 4 : 2;
}

static void *alloc_bytes(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes < 64 ? 64 : bytes) != 0) {
        fprintf(stderr, "baseline: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    memset(p, 0, bytes);
    return p;
}

/* A memory object over a fresh buffer of the primitive's chosen layout. */
static dnnl_memory_t make_memory(const_dnnl_memory_desc_t md, dnnl_engine_t eng, void **buf) {
    size_t bytes = dnnl_memory_desc_get_size(md);
    *buf = alloc_bytes(bytes);
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, eng, *buf));
    return m;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Times one shape and dtype; returns 0 when done, 1 when oneDNN has no implementation for it. */
static int run_case(const struct shape *s, const char *dtname, const struct options *o, dnnl_engine_t eng,
                    dnnl_stream_t stream) {
    dnnl_data_type_t dt = parse_dtype(dtname);
    int oh, ow, pt, pb, pl, pr;
    int wh = s->kind == LRN ? 1 : s->fh, ww = s->kind == LRN ? 1 : s->fw;
    tf_padding(s->h, wh, s->stride, s->same, &oh, &pt, &pb);
    tf_padding(s->w, ww, s->stride, s->same, &ow, &pl, &pr);
    if (s->kind == LRN) { oh = s->h; ow = s->w; }

    dnnl_dims_t src_dims = {s->n, s->c, s->h, s->w};
    dnnl_dims_t dst_dims = {s->n, s->k, oh, ow};
    dnnl_memory_desc_t src_md, dst_md, wei_md = NULL, wei_user_md = NULL;
    CHECK(dnnl_memory_desc_create_with_tag(&src_md, 4, src_dims, dt, dnnl_nhwc));
    CHECK(dnnl_memory_desc_create_with_tag(&dst_md, 4, dst_dims, dt, dnnl_nhwc));

    dnnl_dims_t strides = {s->stride, s->stride}, kernel = {s->fh, s->fw}, nodil = {0, 0};
    dnnl_dims_t pad_l = {pt, pl}, pad_r = {pb, pr};
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st;
    if (s->kind == CONV || s->kind == DWCONV) {
        if (s->kind == CONV) {
            dnnl_dims_t wd = {s->k, s->c, s->fh, s->fw};
            CHECK(dnnl_memory_desc_create_with_tag(&wei_md, 4, wd, dt, dnnl_format_tag_any));
            CHECK(dnnl_memory_desc_create_with_tag(&wei_user_md, 4, wd, dt, dnnl_oihw));
        } else {
            dnnl_dims_t wd = {s->c, s->k / s->c, 1, s->fh, s->fw};
            CHECK(dnnl_memory_desc_create_with_tag(&wei_md, 5, wd, dt, dnnl_format_tag_any));
            CHECK(dnnl_memory_desc_create_with_tag(&wei_user_md, 5, wd, dt, dnnl_goihw));
        }
        st = dnnl_convolution_forward_primitive_desc_create(&pd, eng, dnnl_forward_inference, dnnl_convolution_direct,
                                                            src_md, wei_md, NULL, dst_md, strides, nodil, pad_l,
                                                            pad_r, NULL);
    } else if (s->kind == LRN) {
        int size = 2 * s->fh + 1;
        st = dnnl_lrn_forward_primitive_desc_create(&pd, eng, dnnl_forward_inference, dnnl_lrn_across_channels,
                                                    src_md, dst_md, size, LRN_ALPHA_TF * size, LRN_BETA, LRN_K, NULL);
    } else {
        dnnl_alg_kind_t alg = s->kind == MAXPOOL ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
        st = dnnl_pooling_forward_primitive_desc_create(&pd, eng, dnnl_forward_inference, alg, src_md, dst_md,
                                                        strides, kernel, nodil, pad_l, pad_r, NULL);
    }
    if (st != dnnl_success) {
        fprintf(stderr, "baseline: skip %s %s: oneDNN has no implementation (status %d)\n", s->id, dtname, (int) st);
        dnnl_memory_desc_destroy(src_md);
        dnnl_memory_desc_destroy(dst_md);
        if (wei_md) dnnl_memory_desc_destroy(wei_md);
        if (wei_user_md) dnnl_memory_desc_destroy(wei_user_md);
        return 1;
    }
    const char *impl = "?";
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));

    void *src_buf, *dst_buf, *wei_buf = NULL;
    dnnl_memory_t src = make_memory(src_md, eng, &src_buf);
    dnnl_memory_t dst = make_memory(dst_md, eng, &dst_buf);
    fill(src_buf, (size_t) s->n * s->h * s->w * s->c, dt, 12345u);
    dnnl_memory_t wei = NULL;
    if (wei_md) {
        /* Weights: random values in a plain layout, reordered once into the layout the convolution chose. */
        const_dnnl_memory_desc_t chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        void *user_buf;
        dnnl_memory_t user = make_memory(wei_user_md, eng, &user_buf);
        fill(user_buf, dnnl_memory_desc_get_size(wei_user_md) / dt_size(dt), dt, 777u);
        wei = make_memory(chosen, eng, &wei_buf);
        dnnl_primitive_desc_t rpd;
        CHECK(dnnl_reorder_primitive_desc_create(&rpd, wei_user_md, eng, chosen, eng, NULL));
        dnnl_primitive_t reorder;
        CHECK(dnnl_primitive_create(&reorder, rpd));
        dnnl_exec_arg_t rargs[] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, wei}};
        CHECK(dnnl_primitive_execute(reorder, stream, 2, rargs));
        CHECK(dnnl_stream_wait(stream));
        dnnl_primitive_destroy(reorder);
        dnnl_primitive_desc_destroy(rpd);
        dnnl_memory_destroy(user);
        free(user_buf);
    }
    dnnl_primitive_t prim;
    CHECK(dnnl_primitive_create(&prim, pd));
    dnnl_exec_arg_t args[3];
    int nargs = 0;
    args[nargs++] = (dnnl_exec_arg_t) {DNNL_ARG_SRC, src};
    if (wei) args[nargs++] = (dnnl_exec_arg_t) {DNNL_ARG_WEIGHTS, wei};
    args[nargs++] = (dnnl_exec_arg_t) {DNNL_ARG_DST, dst};

    /* Warm-up: at least 3 runs and warmup_s seconds; it also estimates the time of one run. */
    int runs = 0;
    double t0 = now_s(), t;
    do {
        CHECK(dnnl_primitive_execute(prim, stream, nargs, args));
        CHECK(dnnl_stream_wait(stream));
        runs++;
        t = now_s();
    } while (runs < 3 || t - t0 < o->warmup_s);
    double per_run = (t - t0) / runs;
    int reps = (int) (o->sample_s / per_run);
    if (reps < 1) reps = 1;

    double *ms = malloc(sizeof(double) * (size_t) o->samples);
    for (int i = 0; i < o->samples; i++) {
        double a = now_s();
        for (int r = 0; r < reps; r++) {
            CHECK(dnnl_primitive_execute(prim, stream, nargs, args));
        }
        CHECK(dnnl_stream_wait(stream));
        ms[i] = (now_s() - a) * 1e3 / reps;
    }
    qsort(ms, (size_t) o->samples, sizeof(double), cmp_double);
    double median = o->samples % 2 ? ms[o->samples / 2] : (ms[o->samples / 2 - 1] + ms[o->samples / 2]) / 2;
    double gflops = flops(s, oh, ow) / (median * 1e-3) / 1e9;
    printf("%s,%s,%d,%.6f,%.3f,%.6f,%.6f,%d,%d,%s\n", s->id, dtname, o->threads, median, gflops, ms[0],
           ms[o->samples - 1], o->samples, reps, impl);
    fflush(stdout);

    free(ms);
    dnnl_primitive_destroy(prim);
    dnnl_primitive_desc_destroy(pd);
    dnnl_memory_destroy(src);
    dnnl_memory_destroy(dst);
    free(src_buf);
    free(dst_buf);
    if (wei) {
        dnnl_memory_destroy(wei);
        free(wei_buf);
    }
    dnnl_memory_desc_destroy(src_md);
    dnnl_memory_desc_destroy(dst_md);
    if (wei_md) dnnl_memory_desc_destroy(wei_md);
    if (wei_user_md) dnnl_memory_desc_destroy(wei_user_md);
    return 0;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: OMP_NUM_THREADS=N OMP_WAIT_POLICY=PASSIVE baseline [options]\n"
            "  --shapes IDS        comma-separated shape ids (default: all of shared/shapes.md)\n"
            "  --dtypes LIST       comma-separated among f32, bf16, f16 (default: f32,bf16)\n"
            "  --warmup SEC        warm-up time per case (default 1.0)\n"
            "  --samples N         timed samples per case; the median is reported (default 9)\n"
            "  --sample-time SEC   length of one sample (default 0.2)\n"
            "  --no-header         omit the CSV header line\n"
            "  --list              print the shape ids and exit\n"
            "CSV columns: id,dtype,threads,ms,gflops,ms_min,ms_max,samples,reps,impl\n");
}

static int known_shape(const char *id) {
    for (int i = 0; i < NSHAPES; i++) {
        if (!strcmp(SHAPES[i].id, id)) return 1;
    }
    return 0;
}

/* True when id is an element of the comma-separated list. */
static int in_list(const char *list, const char *id) {
    size_t n = strlen(id);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t) (e - p) : strlen(p);
        if (len == n && !strncmp(p, id, n)) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static double parse_positive(const char *flag, const char *v) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || *end || !(d > 0)) {
        fprintf(stderr, "baseline: %s must be a positive number, was '%s'\n", flag, v);
        usage(stderr);
        exit(64);
    }
    return d;
}

int main(int argc, char **argv) {
    struct options o = {1.0, 0.2, 9, 1, 0, "", "f32,bf16"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--list")) {
            for (int s = 0; s < NSHAPES; s++) printf("%s\n", SHAPES[s].id);
            return 0;
        } else if (!strcmp(a, "--no-header")) {
            o.header = 0;
        } else if (has_value && !strcmp(a, "--shapes")) {
            snprintf(o.shapes, sizeof o.shapes, "%s", argv[++i]);
        } else if (has_value && !strcmp(a, "--dtypes")) {
            snprintf(o.dtypes, sizeof o.dtypes, "%s", argv[++i]);
        } else if (has_value && !strcmp(a, "--warmup")) {
            o.warmup_s = parse_positive(a, argv[++i]);
        } else if (has_value && !strcmp(a, "--sample-time")) {
            o.sample_s = parse_positive(a, argv[++i]);
        } else if (has_value && !strcmp(a, "--samples")) {
            o.samples = (int) parse_positive(a, argv[++i]);
            if (o.samples < 1) o.samples = 1;
        } else {
            fprintf(stderr, "baseline: unknown or incomplete argument '%s'\n", a);
            usage(stderr);
            return 64;
        }
    }
    /* Validate the lists before any oneDNN call. */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", o.shapes);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        if (!known_shape(tok)) {
            fprintf(stderr, "baseline: unknown shape id '%s' (see --list)\n", tok);
            return 64;
        }
    }
    snprintf(copy, sizeof copy, "%s", o.dtypes);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        if (parse_dtype(tok) == dnnl_data_type_undef) {
            fprintf(stderr, "baseline: unknown dtype '%s' (f32, bf16, f16)\n", tok);
            return 64;
        }
    }
    const char *omp = getenv("OMP_NUM_THREADS");
    char *end;
    long threads = omp ? strtol(omp, &end, 10) : 0;
    if (!omp || *end || threads < 1) {
        fprintf(stderr, "baseline: set OMP_NUM_THREADS to the thread count to time (was '%s'), "
                        "and OMP_WAIT_POLICY=PASSIVE on a shared machine\n", omp ? omp : "unset");
        return 64;
    }
    o.threads = (int) threads;

    const dnnl_version_t *v = dnnl_version();
    fprintf(stderr, "baseline: oneDNN %d.%d.%d (%s), %d threads\n", v->major, v->minor, v->patch,
            v->hash ? v->hash : "no hash", o.threads);
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, eng, dnnl_stream_default_flags));
    if (o.header) {
        printf("id,dtype,threads,ms,gflops,ms_min,ms_max,samples,reps,impl\n");
    }
    for (int i = 0; i < NSHAPES; i++) {
        if (o.shapes[0] && !in_list(o.shapes, SHAPES[i].id)) continue;
        snprintf(copy, sizeof copy, "%s", o.dtypes);
        for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
            run_case(&SHAPES[i], tok, &o, eng, stream);
        }
    }
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(eng);
    return 0;
}
