/*
 * Atomic accesses and memory barriers, named as QEMU names them, for
 * memory shared with a guest or another thread.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_ATOMIC_H
#define QEMU_ATOMIC_H

#define qatomic_read(ptr)       __atomic_load_n(ptr, __ATOMIC_RELAXED)
#define qatomic_set(ptr, i)     __atomic_store_n(ptr, i, __ATOMIC_RELAXED)
#define qatomic_load_acquire(ptr)     __atomic_load_n(ptr, __ATOMIC_ACQUIRE)
#define qatomic_store_release(ptr, i) \
    __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
#define qatomic_xchg(ptr, i)    __atomic_exchange_n(ptr, i, __ATOMIC_SEQ_CST)
#define qatomic_fetch_add(ptr, n) \
    __atomic_fetch_add(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_and(ptr, n) \
    __atomic_fetch_and(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_or(ptr, n) \
    __atomic_fetch_or(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_inc(ptr)        ((void)qatomic_fetch_add(ptr, 1))
#define qatomic_dec(ptr)        ((void)__atomic_fetch_sub(ptr, 1, \
                                                         __ATOMIC_SEQ_CST))
#define qatomic_cmpxchg(ptr, old, new) ({                               \
    __typeof__(*(ptr)) _old = (old);                                    \
    (void)__atomic_compare_exchange_n(ptr, &_old, new, false,           \
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    _old; })

/* Full barrier, and the read-only and write-only halves of it. */
#define smp_mb()    __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()   __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()   __atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier()   __asm__ __volatile__("" ::: "memory")

#endif
