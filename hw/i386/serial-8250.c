/*
 * 16550A UART register model.  Transmission is instantaneous (THR and the
 * shifter are always empty once a byte is handed to the host); receive
 * goes through a 16-byte FIFO, or a one-byte holding register with the
 * FIFO off.  Interrupt sources in priority order: data ready, THR empty.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/serial-8250.h"

/* Divisor at reset: 9600 baud from the PC's 1.8432 MHz clock. */
#define RESET_DIVISOR 12

static unsigned rx_capacity(const Serial8250 *s)
{
    return (s->fcr & UART_FCR_ENABLE) ? SERIAL_FIFO_SIZE : 1;
}

static uint8_t pending_iir(const Serial8250 *s)
{
    if ((s->ier & UART_IER_RDI) && s->rx_count) {
        return UART_IIR_RDI;
    }
    if ((s->ier & UART_IER_THRI) && s->thri_pending) {
        return UART_IIR_THRI;
    }
    return UART_IIR_NO_INT;
}

static void update_irq(Serial8250 *s)
{
    bool level = pending_iir(s) != UART_IIR_NO_INT;

    if (level != s->irq_level) {
        s->irq_level = level;
        if (s->set_irq) {
            s->set_irq(s->opaque, level);
        }
    }
}

static void rx_clear(Serial8250 *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
}

static bool rx_push(Serial8250 *s, uint8_t byte)
{
    if (s->rx_count >= rx_capacity(s)) {
        return false;
    }
    s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO_SIZE] = byte;
    s->rx_count++;
    return true;
}

static uint8_t rx_pop(Serial8250 *s)
{
    uint8_t byte;

    if (!s->rx_count) {
        return 0;
    }
    byte = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
    s->rx_count--;
    return byte;
}

void serial8250_init(Serial8250 *s, SerialTxFn *tx, SerialIrqFn *set_irq,
                     void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->tx = tx;
    s->set_irq = set_irq;
    s->opaque = opaque;
    serial8250_reset(s);
}

void serial8250_reset(Serial8250 *s)
{
    s->divisor = RESET_DIVISOR;
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->scr = 0;
    s->thri_pending = false;
    rx_clear(s);
    update_irq(s);
}

static uint8_t read_msr(const Serial8250 *s)
{
    uint8_t msr = 0;

    if (!(s->mcr & UART_MCR_LOOP)) {
        /* A host that is always there and always ready. */
        return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_DTR) {
        msr |= UART_MSR_DSR;
    }
    if (s->mcr & UART_MCR_RTS) {
        msr |= UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_OUT1) {
        msr |= UART_MSR_RI;
    }
    if (s->mcr & UART_MCR_OUT2) {
        msr |= UART_MSR_DCD;
    }
    return msr;
}

uint8_t serial8250_read(Serial8250 *s, unsigned offset)
{
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t v;

    switch (offset) {
    case UART_RBR:
        if (dlab) {
            return s->divisor & 0xff;
        }
        v = rx_pop(s);
        update_irq(s);
        return v;
    case UART_IER:
        return dlab ? s->divisor >> 8 : s->ier;
    case UART_IIR:
        v = pending_iir(s);
        if (v == UART_IIR_THRI) {
            /* Reading the IIR acknowledges a THR-empty interrupt. */
            s->thri_pending = false;
            update_irq(s);
        }
        if (s->fcr & UART_FCR_ENABLE) {
            v |= UART_IIR_FIFOS;
        }
        return v;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        return UART_LSR_THRE | UART_LSR_TEMT |
            (s->rx_count ? UART_LSR_DR : 0);
    case UART_MSR:
        return read_msr(s);
    case UART_SCR:
        return s->scr;
    default:
        return 0xff;
    }
}

static void write_thr(Serial8250 *s, uint8_t val)
{
    if (s->mcr & UART_MCR_LOOP) {
        rx_push(s, val);
    } else if (s->tx) {
        s->tx(s->opaque, val);
    }
    /* Sent at once: the THR is empty again. */
    s->thri_pending = true;
    update_irq(s);
}

static void write_fcr(Serial8250 *s, uint8_t val)
{
    /* Turning the FIFOs on or off empties them. */
    if ((val ^ s->fcr) & UART_FCR_ENABLE) {
        rx_clear(s);
    }
    if (val & UART_FCR_CLR_RX) {
        rx_clear(s);
    }
    s->fcr = val & (UART_FCR_ENABLE | 0xc0);
    update_irq(s);
}

void serial8250_write(Serial8250 *s, unsigned offset, uint8_t val)
{
    bool dlab = s->lcr & UART_LCR_DLAB;

    switch (offset) {
    case UART_THR:
        if (dlab) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            write_thr(s, val);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (s->divisor & 0x00ff) | val << 8;
            break;
        }
        /* Enabling the THR-empty interrupt with the THR empty fires it. */
        if ((val & ~s->ier) & UART_IER_THRI) {
            s->thri_pending = true;
        }
        s->ier = val & 0x0f;
        update_irq(s);
        break;
    case UART_FCR:
        write_fcr(s, val);
        break;
    case UART_LCR:
        s->lcr = val;
        break;
    case UART_MCR:
        s->mcr = val & 0x1f;
        break;
    case UART_SCR:
        s->scr = val;
        break;
    default:
        /* LSR and MSR are read-only. */
        break;
    }
}

size_t serial8250_can_receive(const Serial8250 *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return rx_capacity(s) - s->rx_count;
}

size_t serial8250_receive(Serial8250 *s, const uint8_t *buf, size_t len)
{
    size_t n = MIN(len, serial8250_can_receive(s));
    size_t i;

    for (i = 0; i < n; i++) {
        rx_push(s, buf[i]);
    }
    update_irq(s);
    return n;
}
