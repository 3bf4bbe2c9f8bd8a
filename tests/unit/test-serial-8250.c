/*
 * Tests of the 16550A UART model, driven by port accesses the way Linux's
 * 8250 driver probes and uses COM1: registers, divisor latch, FIFO,
 * transmit to the host, receive from it, and the interrupt line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/serial-8250.h"

typedef struct Fixture {
    Serial8250 uart;
    GString *out;
    bool irq;
    unsigned irq_changes;
} Fixture;

static void fx_tx(void *opaque, uint8_t byte)
{
    Fixture *f = opaque;

    g_string_append_c(f->out, byte);
}

static void fx_irq(void *opaque, bool level)
{
    Fixture *f = opaque;

    g_assert_cmpint(level, !=, f->irq);
    f->irq = level;
    f->irq_changes++;
}

static void fx_setup(Fixture *f, gconstpointer data)
{
    f->out = g_string_new(NULL);
    f->irq = false;
    f->irq_changes = 0;
    serial8250_init(&f->uart, fx_tx, fx_irq, f);
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    g_string_free(f->out, TRUE);
}

static uint8_t in(Fixture *f, unsigned reg)
{
    return serial8250_read(&f->uart, reg);
}

static void out(Fixture *f, unsigned reg, uint8_t v)
{
    serial8250_write(&f->uart, reg, v);
}

static void test_reset_values(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(in(f, UART_IER), ==, 0x00);
    g_assert_cmphex(in(f, UART_IIR), ==, 0x01);
    g_assert_cmphex(in(f, UART_LCR), ==, 0x00);
    g_assert_cmphex(in(f, UART_MCR), ==, 0x00);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x60);
    g_assert_cmphex(in(f, UART_MSR), ==, 0xb0);
    g_assert_cmphex(in(f, UART_SCR), ==, 0x00);
    g_assert_false(f->irq);
    g_assert_cmpuint(f->irq_changes, ==, 0);
    out(f, UART_LCR, 0x80);
    g_assert_cmphex(in(f, UART_DLL), ==, 12);
    g_assert_cmphex(in(f, UART_DLM), ==, 0);
}

/* Linux's autoconfig: IER holds its low four bits, SCR holds a byte. */
static void test_probe(Fixture *f, gconstpointer data)
{
    out(f, UART_IER, 0x00);
    g_assert_cmphex(in(f, UART_IER) & 0x0f, ==, 0x00);
    out(f, UART_IER, 0xff);
    g_assert_cmphex(in(f, UART_IER), ==, 0x0f);
    out(f, UART_IER, 0x00);
    out(f, UART_SCR, 0xa5);
    g_assert_cmphex(in(f, UART_SCR), ==, 0xa5);
    out(f, UART_SCR, 0x5a);
    g_assert_cmphex(in(f, UART_SCR), ==, 0x5a);
    /* FIFOs on: IIR bits 7:6 = 3, a 16550A. */
    out(f, UART_FCR, UART_FCR_ENABLE);
    g_assert_cmphex(in(f, UART_IIR), ==, 0xc1);
    out(f, UART_FCR, 0);
    g_assert_cmphex(in(f, UART_IIR), ==, 0x01);
    /* LSR and MSR ignore writes. */
    out(f, UART_LSR, 0x00);
    out(f, UART_MSR, 0x00);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x60);
    g_assert_cmphex(in(f, UART_MSR), ==, 0xb0);
    /* IER=0x0f raised THR empty for a moment; IER=0 lowered it. */
    g_assert_cmpuint(f->irq_changes, ==, 2);
    g_assert_false(f->irq);
}

static void test_divisor_latch(Fixture *f, gconstpointer data)
{
    out(f, UART_IER, UART_IER_RDI);
    out(f, UART_LCR, UART_LCR_DLAB | 0x03);
    out(f, UART_DLL, 0x01);
    out(f, UART_DLM, 0x02);
    g_assert_cmphex(in(f, UART_DLL), ==, 0x01);
    g_assert_cmphex(in(f, UART_DLM), ==, 0x02);
    g_assert_cmphex(f->uart.divisor, ==, 0x0201);
    g_assert_cmpuint(f->out->len, ==, 0);
    out(f, UART_LCR, 0x03);
    /* The same ports are THR/RBR and IER again; the IER kept its bits. */
    g_assert_cmphex(in(f, UART_IER), ==, UART_IER_RDI);
    g_assert_cmphex(in(f, UART_LCR), ==, 0x03);
    out(f, UART_THR, 'x');
    g_assert_cmpstr(f->out->str, ==, "x");
    g_assert_cmphex(f->uart.divisor, ==, 0x0201);
}

static void test_transmit(Fixture *f, gconstpointer data)
{
    const char *msg = "Linux version";
    const char *p;

    out(f, UART_LCR, 0x03);
    for (p = msg; *p; p++) {
        /* The polled console waits for THRE before each byte. */
        g_assert_cmphex(in(f, UART_LSR) & 0x60, ==, 0x60);
        out(f, UART_THR, *p);
    }
    g_assert_cmpstr(f->out->str, ==, msg);
    /* No interrupt without IER.ETBEI. */
    g_assert_false(f->irq);
    g_assert_cmphex(in(f, UART_IIR), ==, 0x01);
}

static void test_thre_interrupt(Fixture *f, gconstpointer data)
{
    out(f, UART_FCR, UART_FCR_ENABLE);
    out(f, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
    g_assert_false(f->irq);
    out(f, UART_IER, UART_IER_THRI);
    g_assert_true(f->irq);
    g_assert_cmphex(in(f, UART_IIR), ==, 0xc2);
    /* Reading IIR acknowledged it. */
    g_assert_false(f->irq);
    g_assert_cmphex(in(f, UART_IIR), ==, 0xc1);
    /* Each byte sent empties the THR again: one more interrupt. */
    out(f, UART_THR, 'a');
    g_assert_true(f->irq);
    out(f, UART_THR, 'b');
    g_assert_true(f->irq);
    g_assert_cmpstr(f->out->str, ==, "ab");
    /* Masking it lowers the line, unmasking while empty fires again. */
    out(f, UART_IER, 0);
    g_assert_false(f->irq);
    out(f, UART_IER, UART_IER_THRI);
    g_assert_true(f->irq);
    g_assert_cmpuint(f->irq_changes, ==, 5);
}

/* serial8250_do_startup()'s THRE test must not see a buggy UART. */
static void test_startup_thre_check(Fixture *f, gconstpointer data)
{
    uint8_t iir1, iir;

    out(f, UART_IER, UART_IER_THRI);
    iir1 = in(f, UART_IIR);
    out(f, UART_IER, 0);
    out(f, UART_IER, UART_IER_THRI);
    iir = in(f, UART_IIR);
    out(f, UART_IER, 0);
    g_assert_cmphex(iir1, ==, UART_IIR_THRI);
    g_assert_cmphex(iir, ==, UART_IIR_THRI);
    g_assert_false(f->irq);
}

static void test_receive(Fixture *f, gconstpointer data)
{
    out(f, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX | UART_FCR_CLR_TX);
    out(f, UART_IER, UART_IER_RDI);
    g_assert_false(f->irq);
    g_assert_cmpuint(serial8250_receive(&f->uart, (const uint8_t *)"ab",
                                        2), ==, 2);
    g_assert_true(f->irq);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x61);
    g_assert_cmphex(in(f, UART_IIR), ==, 0xc4);
    /* Reading IIR does not acknowledge data ready. */
    g_assert_true(f->irq);
    g_assert_cmphex(in(f, UART_RBR), ==, 'a');
    g_assert_true(f->irq);
    g_assert_cmphex(in(f, UART_RBR), ==, 'b');
    g_assert_false(f->irq);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x60);
    g_assert_cmphex(in(f, UART_IIR), ==, 0xc1);
    /* An empty receiver reads 0. */
    g_assert_cmphex(in(f, UART_RBR), ==, 0);
    g_assert_cmpuint(f->irq_changes, ==, 2);
}

static void test_receive_bound(Fixture *f, gconstpointer data)
{
    uint8_t buf[20];
    unsigned i;

    for (i = 0; i < sizeof(buf); i++) {
        buf[i] = 'A' + i;
    }
    /* FIFO off: one holding register. */
    g_assert_cmpuint(serial8250_can_receive(&f->uart), ==, 1);
    g_assert_cmpuint(serial8250_receive(&f->uart, buf, 20), ==, 1);
    g_assert_cmpuint(serial8250_receive(&f->uart, buf + 1, 19), ==, 0);
    g_assert_cmphex(in(f, UART_RBR), ==, 'A');
    /* FIFO on: sixteen, in order. */
    out(f, UART_FCR, UART_FCR_ENABLE);
    g_assert_cmpuint(serial8250_can_receive(&f->uart), ==, 16);
    g_assert_cmpuint(serial8250_receive(&f->uart, buf, 20), ==, 16);
    g_assert_cmpuint(serial8250_can_receive(&f->uart), ==, 0);
    for (i = 0; i < 3; i++) {
        g_assert_cmphex(in(f, UART_RBR), ==, 'A' + i);
    }
    /* The ring wraps. */
    g_assert_cmpuint(serial8250_receive(&f->uart, buf + 16, 4), ==, 3);
    for (i = 3; i < 19; i++) {
        g_assert_cmphex(in(f, UART_RBR), ==, 'A' + i);
    }
    g_assert_cmphex(in(f, UART_LSR) & UART_LSR_DR, ==, 0);
    /* FCR clears the receive FIFO. */
    serial8250_receive(&f->uart, buf, 5);
    out(f, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLR_RX);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x60);
    g_assert_cmpuint(serial8250_can_receive(&f->uart), ==, 16);
    /* So does turning the FIFO off. */
    serial8250_receive(&f->uart, buf, 5);
    out(f, UART_FCR, 0);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x60);
}

static void test_priority(Fixture *f, gconstpointer data)
{
    out(f, UART_IER, UART_IER_RDI | UART_IER_THRI);
    serial8250_receive(&f->uart, (const uint8_t *)"z", 1);
    /* Data ready outranks THR empty, which stays pending behind it. */
    g_assert_cmphex(in(f, UART_IIR), ==, UART_IIR_RDI);
    g_assert_cmphex(in(f, UART_RBR), ==, 'z');
    g_assert_true(f->irq);
    g_assert_cmphex(in(f, UART_IIR), ==, UART_IIR_THRI);
    g_assert_false(f->irq);
    g_assert_cmphex(in(f, UART_IIR), ==, UART_IIR_NO_INT);
}

static void test_loopback(Fixture *f, gconstpointer data)
{
    out(f, UART_MCR, UART_MCR_LOOP);
    g_assert_cmphex(in(f, UART_MSR), ==, 0x00);
    out(f, UART_MCR, UART_MCR_LOOP | 0x0f);
    g_assert_cmphex(in(f, UART_MSR), ==, 0xf0);
    out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
    g_assert_cmphex(in(f, UART_MSR), ==, UART_MSR_DSR | UART_MSR_DCD);
    g_assert_cmpuint(serial8250_can_receive(&f->uart), ==, 0);
    out(f, UART_THR, 0x55);
    g_assert_cmpuint(f->out->len, ==, 0);
    g_assert_cmphex(in(f, UART_LSR), ==, 0x61);
    g_assert_cmphex(in(f, UART_RBR), ==, 0x55);
    out(f, UART_MCR, UART_MCR_OUT2);
    out(f, UART_THR, 0x55);
    g_assert_cmpuint(f->out->len, ==, 1);
    g_assert_cmphex(in(f, UART_MSR), ==, 0xb0);
}

static void test_reset_lowers_irq(Fixture *f, gconstpointer data)
{
    out(f, UART_IER, UART_IER_THRI);
    out(f, UART_SCR, 0x12);
    g_assert_true(f->irq);
    serial8250_reset(&f->uart);
    g_assert_false(f->irq);
    g_assert_cmphex(in(f, UART_IER), ==, 0);
    g_assert_cmphex(in(f, UART_SCR), ==, 0);
    g_assert_cmphex(in(f, UART_IIR), ==, 0x01);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add("/serial-8250/" path, Fixture, NULL, fx_setup, fn, \
               fx_teardown)
    ADD("reset-values", test_reset_values);
    ADD("probe", test_probe);
    ADD("divisor-latch", test_divisor_latch);
    ADD("transmit", test_transmit);
    ADD("thre-interrupt", test_thre_interrupt);
    ADD("startup-thre-check", test_startup_thre_check);
    ADD("receive", test_receive);
    ADD("receive-bound", test_receive_bound);
    ADD("priority", test_priority);
    ADD("loopback", test_loopback);
    ADD("reset-lowers-irq", test_reset_lowers_irq);
#undef ADD
    return g_test_run();
}
