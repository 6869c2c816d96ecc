/*
 * segura-wamr: runs the module in WAMR the way Fluent Bit 5.1's wasm filter does (src/wasm/flb_wasm.c,
 * plugins/filter_wasm, Event_Format json), and runs WASI commands.
 *
 *   segura-wamr filter MODULE.wasm            framed calls on stdin, framed results on stdout
 *   segura-wamr bench CORPUS ROUNDS MODULE.wasm:FUNCTION...
 *                                             records/s of each function over CORPUS (one record a line)
 *   segura-wamr wasi MODULE.wasm [ARGS...]    a WASI command with this process's stdin, stdout, stderr
 *
 * Filter mode, as Fluent Bit: one runtime and one instance for all calls, made with the default 8 KiB
 * stack and heap, and one execution environment with the same stack. The allocator is the one WAMR
 * chooses: the module's exported malloc/free (no app heap is inserted then), run as WAMR 2.4.1 runs it
 * (see app_dup_data below). For each call, the tag and the record are copied in including their NUL,
 * the function is called with (tag, tag_len, sec, nsec, record, record_len), the result address is
 * checked as a C string, copied out, and the tag and then the record are freed. A trap: the exception is read and cleared, the
 * record is dropped, and the same instance takes the next call.
 *
 * Frames (integers are 32-bit little-endian):
 *   call:   fn_len fn tag_len tag sec nsec record_len record
 *   result: status(1 byte) len bytes memory_bytes
 * status 0: the function returned a valid string (bytes: its copy, without the NUL);
 *        1: the call trapped (bytes: WAMR's exception text);
 *        2: the returned address is not a valid string in linear memory (bytes: empty);
 *        3: the module has no such function (bytes: empty).
 * memory_bytes: the size of linear memory after the call. End of input ends the process.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bh_read_file.h"
#include "wasm_export.h"

/* Fluent Bit's FLB_WASM_DEFAULT_STACK_SIZE and FLB_WASM_DEFAULT_HEAP_SIZE (include/fluent-bit/wasm/flb_wasm.h) */
#define FLB_STACK_SIZE 8192
#define FLB_HEAP_SIZE 8192
/* iwasm's defaults, for WASI commands */
#define WASI_STACK_SIZE (64 * 1024)
#define WASI_HEAP_SIZE (16 * 1024)

enum { STATUS_STRING = 0, STATUS_TRAP = 1, STATUS_BAD_ADDRESS = 2, STATUS_NO_FUNCTION = 3 };

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "segura-wamr: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(70);
}

/* ---- the runtime, as flb_wasm_instantiate() sets it up ------------------------------------- */

static void runtime_init(void)
{
    RuntimeInitArgs args;
    memset(&args, 0, sizeof args);
    args.mem_alloc_type = Alloc_With_Allocator;
    args.mem_alloc_option.allocator.malloc_func = malloc;
    args.mem_alloc_option.allocator.realloc_func = realloc;
    args.mem_alloc_option.allocator.free_func = free;
    if (!wasm_runtime_full_init(&args))
        die("cannot initialise the runtime", NULL);
}

static char error_buf[128];

static wasm_module_t load(const char *path, char **wasi_argv, int wasi_argc)
{
    uint32_t size = 0;
    char *buffer = bh_read_file_to_buffer(path, &size);
    if (!buffer)
        die("cannot read", path);
    package_type_t type = get_package_type((const uint8_t *)buffer, size);
    if (type != Wasm_Module_Bytecode && type != Wasm_Module_AoT)
        die("neither WebAssembly bytecode nor an AOT object", path);
    wasm_module_t module = wasm_runtime_load((uint8_t *)buffer, size, error_buf, sizeof error_buf);
    if (!module)
        die("cannot load the module", error_buf);
    /* Fluent Bit passes no directories, no environment and no arguments */
    wasm_runtime_set_wasi_args(module, NULL, 0, NULL, 0, NULL, 0, wasi_argv, wasi_argc);
    return module; /* the buffer stays: the loaded module refers to it */
}

static wasm_module_inst_t instantiate(wasm_module_t module, uint32_t stack, uint32_t heap)
{
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, stack, heap, error_buf, sizeof error_buf);
    if (!inst)
        die("cannot instantiate the module", error_buf);
    return inst;
}

static uint32_t memory_bytes(wasm_module_inst_t inst)
{
    uint32_t start = 0, end = 0;
    if (!wasm_runtime_get_app_addr_range(inst, 0, &start, &end))
        return 0;
    return end;
}

/* ---- the module's allocator, run as WAMR 2.4.1 runs it -------------------------------------- */

/* WAMR 2.4.1's wasm_runtime_module_dup_data() and wasm_runtime_module_free() run the module's malloc
 * and free on the execution environment that Fluent Bit created for the instance (found through the
 * thread manager). This older WAMR creates and destroys a new environment, with a stack of its own,
 * for each of those calls instead (the no-op module ran about 40% slower that way). So the host calls
 * the same exports itself, on the instance's one environment, and copies the bytes as dup_data does. The exports are the ones this WAMR's loader
 * picks: malloc (i32) -> i32 and free (i32) -> (); with them it inserts no app heap. */
struct allocator {
    wasm_function_inst_t malloc_fn, free_fn;
};

static struct allocator find_allocator(wasm_module_inst_t inst)
{
    struct allocator a = { wasm_runtime_lookup_function(inst, "malloc", NULL),
                           wasm_runtime_lookup_function(inst, "free", NULL) };
    if (!a.malloc_fn || !a.free_fn)
        die("the module exports no malloc and free", NULL);
    return a;
}

/* 0 when malloc trapped or returned 0 (the exception, if any, stays set) */
static uint32_t app_dup_data(wasm_module_inst_t inst, wasm_exec_env_t env, struct allocator *a, const char *src, uint32_t size)
{
    uint32_t argv[1] = { size };
    if (!wasm_runtime_call_wasm(env, a->malloc_fn, 1, argv) || argv[0] == 0)
        return 0;
    if (!wasm_runtime_validate_app_addr(inst, argv[0], size))
        return 0;
    memcpy(wasm_runtime_addr_app_to_native(inst, argv[0]), src, size);
    return argv[0];
}

static void app_free(wasm_module_inst_t inst, wasm_exec_env_t env, struct allocator *a, uint32_t ptr)
{
    uint32_t argv[1] = { ptr };
    if (!wasm_runtime_call_wasm(env, a->free_fn, 1, argv))
        wasm_runtime_clear_exception(inst);
}

/* ---- one call, as flb_wasm_call_function_format_json() makes it ---------------------------- */

struct result {
    int status;
    char *text; /* malloc'd: the result's copy, or the exception text */
};

static struct result call_json(wasm_module_inst_t inst, wasm_exec_env_t env, struct allocator *a, const char *fn,
                               const char *tag, uint32_t tag_len, uint32_t sec, uint32_t nsec,
                               const char *record, uint32_t record_len)
{
    struct result r = { STATUS_STRING, NULL };
    wasm_function_inst_t func = wasm_runtime_lookup_function(inst, fn, NULL);
    if (!func) {
        r.status = STATUS_NO_FUNCTION;
        return r;
    }
    /* tag and record are NUL-terminated here; the NUL is copied in with them */
    uint32_t tag_buffer = app_dup_data(inst, env, a, tag, tag_len + 1);
    uint32_t record_buffer = app_dup_data(inst, env, a, record, record_len + 1);
    uint32_t argv[6] = { tag_buffer, tag_len, sec, nsec, record_buffer, record_len };

    if (wasm_runtime_get_exception(inst) || !wasm_runtime_call_wasm(env, func, 6, argv)) {
        const char *exception = wasm_runtime_get_exception(inst);
        r.status = STATUS_TRAP;
        r.text = strdup(exception ? exception : "");
        wasm_runtime_clear_exception(inst);
    }
    else if (!wasm_runtime_validate_app_str_addr(inst, argv[0])) {
        r.status = STATUS_BAD_ADDRESS;
        wasm_runtime_clear_exception(inst); /* the validation's own */
    }
    else {
        const char *result = wasm_runtime_addr_app_to_native(inst, argv[0]);
        if (!result)
            r.status = STATUS_BAD_ADDRESS;
        else
            r.text = strdup(result);
    }
    if (tag_buffer)
        app_free(inst, env, a, tag_buffer);
    if (record_buffer)
        app_free(inst, env, a, record_buffer);
    return r;
}

/* ---- framed input: stdout is flushed whenever input would block ----------------------------- */

static unsigned char in_buf[1 << 16];
static size_t in_len, in_pos;

static int read_exact(void *dst, size_t n)
{
    unsigned char *d = dst;
    while (n > 0) {
        if (in_pos == in_len) {
            fflush(stdout);
            ssize_t got = read(0, in_buf, sizeof in_buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return 0;
            in_len = (size_t)got;
            in_pos = 0;
        }
        size_t take = in_len - in_pos < n ? in_len - in_pos : n;
        memcpy(d, in_buf + in_pos, take);
        in_pos += take;
        d += take;
        n -= take;
    }
    return 1;
}

static int read_u32(uint32_t *v)
{
    unsigned char b[4];
    if (!read_exact(b, 4))
        return 0;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

/* a length-prefixed field, NUL-terminated in memory; *buf grows as needed */
static int read_field(char **buf, size_t *cap, uint32_t *len)
{
    if (!read_u32(len))
        return 0;
    if ((size_t)*len + 1 > *cap) {
        *cap = (size_t)*len + 1;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            die("out of memory", NULL);
    }
    if (!read_exact(*buf, *len))
        die("truncated frame", NULL);
    (*buf)[*len] = '\0';
    return 1;
}

static void write_u32(uint32_t v)
{
    unsigned char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
    fwrite(b, 1, 4, stdout);
}

static int run_filter(const char *path)
{
    runtime_init();
    wasm_module_inst_t inst = instantiate(load(path, NULL, 0), FLB_STACK_SIZE, FLB_HEAP_SIZE);
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, FLB_STACK_SIZE);
    if (!env)
        die("cannot create the execution environment", NULL);
    struct allocator alloc = find_allocator(inst);
    static char out_buf[1 << 16];
    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

    char *fn = NULL, *tag = NULL, *record = NULL;
    size_t fn_cap = 0, tag_cap = 0, record_cap = 0;
    uint32_t fn_len, tag_len, sec, nsec, record_len;
    while (read_field(&fn, &fn_cap, &fn_len)) {
        if (!read_field(&tag, &tag_cap, &tag_len) || !read_u32(&sec) || !read_u32(&nsec)
            || !read_field(&record, &record_cap, &record_len))
            die("truncated frame", NULL);
        struct result r = call_json(inst, env, &alloc, fn, tag, tag_len, sec, nsec, record, record_len);
        uint32_t len = r.text ? (uint32_t)strlen(r.text) : 0;
        fputc(r.status, stdout);
        write_u32(len);
        fwrite(r.text ? r.text : "", 1, len, stdout);
        write_u32(memory_bytes(inst));
        free(r.text);
    }
    fflush(stdout);
    return 0;
}

/* ---- bench: records/s of each function, interpreted, in one process ------------------------- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Contenders are MODULE:FUNCTION; each gets its own instance (as each Fluent Bit filter does). In
 * every round each one converts the whole corpus (again until 0.2 s have passed), in a rotating order,
 * after one warm-up round. Printed: one JSON object with the records/s of every round. */
static int run_bench(const char *corpus_path, int rounds, char **contenders, int n)
{
    runtime_init();
    uint32_t size = 0;
    char *corpus = bh_read_file_to_buffer(corpus_path, &size);
    if (!corpus)
        die("cannot read", corpus_path);
    size_t records = 0;
    for (uint32_t i = 0; i < size; i++)
        records += corpus[i] == '\n';
    char **recs = calloc(records, sizeof *recs);
    uint32_t *lens = calloc(records, sizeof *lens);
    size_t k = 0;
    char *p = corpus;
    for (uint32_t i = 0; i < size; i++)
        if (corpus[i] == '\n') {
            corpus[i] = '\0';
            recs[k] = p;
            lens[k++] = (uint32_t)(corpus + i - p);
            p = corpus + i + 1;
        }

    wasm_module_inst_t *insts = calloc(n, sizeof *insts);
    wasm_exec_env_t *envs = calloc(n, sizeof *envs);
    char **fns = calloc(n, sizeof *fns);
    struct allocator *allocs = calloc(n, sizeof *allocs);
    for (int c = 0; c < n; c++) {
        char *colon = strrchr(contenders[c], ':');
        if (!colon)
            die("a contender is MODULE:FUNCTION", contenders[c]);
        *colon = '\0';
        fns[c] = colon + 1;
        insts[c] = instantiate(load(contenders[c], NULL, 0), FLB_STACK_SIZE, FLB_HEAP_SIZE);
        envs[c] = wasm_runtime_create_exec_env(insts[c], FLB_STACK_SIZE);
        if (!envs[c])
            die("cannot create the execution environment", NULL);
        allocs[c] = find_allocator(insts[c]);
    }
    double *rate = calloc((size_t)rounds * n, sizeof *rate);
    unsigned long long out_bytes = 0;
    for (int round = -1; round < rounds; round++) {
        for (int j = 0; j < n; j++) {
            int c = (j + (round < 0 ? 0 : round)) % n;
            double start = now_s(), elapsed;
            size_t calls = 0;
            do {
                for (size_t i = 0; i < records; i++, calls++) {
                    struct result r = call_json(insts[c], envs[c], &allocs[c], fns[c], "segura.events", 13, 1715000000, 123456789, recs[i], lens[i]);
                    if (r.status != STATUS_STRING) {
                        fprintf(stderr, "segura-wamr: %s on record %zu: status %d %s\n", fns[c], i, r.status, r.text ? r.text : "");
                        return 1;
                    }
                    out_bytes += strlen(r.text);
                    free(r.text);
                }
                elapsed = now_s() - start;
            } while (elapsed < 0.2);
            if (round >= 0)
                rate[round * n + c] = (double)calls / elapsed;
        }
    }
    printf("{\"records\":%zu,\"output_bytes\":%llu,\"contenders\":[", records, out_bytes);
    for (int c = 0; c < n; c++) {
        double *sorted = calloc(rounds, sizeof *sorted);
        printf("%s{\"module\":\"%s\",\"function\":\"%s\",\"rounds\":[", c ? "," : "", contenders[c], fns[c]);
        for (int r = 0; r < rounds; r++) {
            printf("%s%.1f", r ? "," : "", rate[r * n + c]);
            sorted[r] = rate[r * n + c];
        }
        qsort(sorted, rounds, sizeof *sorted, compare_doubles);
        printf("],\"median\":%.1f,\"memory_bytes\":%u}", sorted[rounds / 2], memory_bytes(insts[c]));
        free(sorted);
    }
    printf("]}\n");
    return 0;
}

/* ---- WASI command ---------------------------------------------------------------------------- */

static int run_wasi(const char *path, int argc, char **argv)
{
    runtime_init();
    /* argv[0] is the module's path, as wasmtime passes it */
    wasm_module_inst_t inst = instantiate(load(path, argv, argc), WASI_STACK_SIZE, WASI_HEAP_SIZE);
    wasm_application_execute_main(inst, argc, argv);
    const char *exception = wasm_runtime_get_exception(inst);
    /* this WAMR ends proc_exit() with this exception and does not keep the exit code */
    if (exception && !strstr(exception, "wasi proc exit")) {
        fprintf(stderr, "segura-wamr: %s\n", exception);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "filter"))
        return run_filter(argv[2]);
    if (argc >= 5 && !strcmp(argv[1], "bench"))
        return run_bench(argv[2], atoi(argv[3]) > 0 ? atoi(argv[3]) : 1, argv + 4, argc - 4);
    if (argc >= 3 && !strcmp(argv[1], "wasi"))
        return run_wasi(argv[2], argc - 2, argv + 2);
    fprintf(stderr, "usage: segura-wamr filter MODULE.wasm\n"
                    "       segura-wamr bench CORPUS ROUNDS MODULE.wasm:FUNCTION...\n"
                    "       segura-wamr wasi MODULE.wasm [ARGS...]\n");
    return 2;
}
