/*
 * The stack boundary of the calling thread, found once per thread as WAMR 2.4.1 finds it
 * (core/shared/platform/common/posix/posix_thread.c keeps it in a thread-local there).
 *
 * The WAMR that the wamr-sys crate carries asks for it on every wasm_runtime_call_wasm(), and on Linux
 * each answer comes from pthread_getattr_np(), which reads /proc/self/maps: several system calls per
 * call into the module, more than the module's own work. This definition takes the place of that
 * WAMR's (the link allows it, see CMakeLists.txt) and computes the same value the same way, once.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "platform_internal.h"
#include "config.h"

static __thread uint8_t *boundary;
static __thread int known;

uint8_t *os_thread_get_stack_boundary(void)
{
    if (known)
        return boundary;
    pthread_attr_t attr;
    uint8_t *addr = NULL;
    size_t stack_size = 0, guard_size = 0;
    size_t page_size = (size_t)getpagesize();
    size_t max_stack_size = ((size_t)APP_THREAD_STACK_SIZE_MAX + page_size - 1) & ~(page_size - 1);
    if (max_stack_size < APP_THREAD_STACK_SIZE_DEFAULT)
        max_stack_size = APP_THREAD_STACK_SIZE_DEFAULT;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, (void **)&addr, &stack_size);
        pthread_attr_getguardsize(&attr, &guard_size);
        pthread_attr_destroy(&attr);
        if (stack_size > max_stack_size)
            addr = addr + stack_size - max_stack_size;
        if (guard_size < page_size)
            guard_size = page_size; /* at least one guard page, as WAMR reserves */
        addr += guard_size;
    }
    boundary = addr;
    known = 1;
    return boundary;
}
