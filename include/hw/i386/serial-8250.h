/*
 * 16550A UART register model (the PC's COM1 at 0x3f8, IRQ 4): port
 * accesses in, transmitted bytes and the interrupt line out by callback.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_SERIAL_8250_H
#define HW_I386_SERIAL_8250_H

#define SERIAL_COM1_BASE    0x3f8
#define SERIAL_COM1_IRQ     4
#define SERIAL_NR_PORTS     8
#define SERIAL_FIFO_SIZE    16

/* Register offsets from the base port. */
#define UART_RBR    0   /* read, DLAB=0 */
#define UART_THR    0   /* write, DLAB=0 */
#define UART_DLL    0   /* DLAB=1 */
#define UART_IER    1   /* DLAB=0 */
#define UART_DLM    1   /* DLAB=1 */
#define UART_IIR    2   /* read */
#define UART_FCR    2   /* write */
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_MSR    6
#define UART_SCR    7

#define UART_IER_RDI    0x01
#define UART_IER_THRI   0x02
#define UART_IER_RLSI   0x04
#define UART_IER_MSI    0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_FIFOS  0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLR_RX 0x02
#define UART_FCR_CLR_TX 0x04

#define UART_LCR_DLAB   0x80

#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10

#define UART_LSR_DR     0x01
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40

#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80

/* A byte the guest transmitted, for the host. */
typedef void SerialTxFn(void *opaque, uint8_t byte);
/* The interrupt line's new level; called only when it changes. */
typedef void SerialIrqFn(void *opaque, bool level);

typedef struct Serial8250 {
    SerialTxFn *tx;
    SerialIrqFn *set_irq;
    void *opaque;

    uint16_t divisor;
    uint8_t ier;
    uint8_t fcr;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t scr;
    bool thri_pending;      /* THR empty, not yet acknowledged */
    bool irq_level;

    uint8_t rx[SERIAL_FIFO_SIZE];
    unsigned rx_head;
    unsigned rx_count;
} Serial8250;

void serial8250_init(Serial8250 *s, SerialTxFn *tx, SerialIrqFn *set_irq,
                     void *opaque);
/* Power-on state; lowers the interrupt line if it was up. */
void serial8250_reset(Serial8250 *s);

/* Byte accesses at offset 0..7 from the base port. */
uint8_t serial8250_read(Serial8250 *s, unsigned offset);
void serial8250_write(Serial8250 *s, unsigned offset, uint8_t val);

/* How many host bytes the receiver takes now (FIFO room). */
size_t serial8250_can_receive(const Serial8250 *s);
/* Host input: takes at most serial8250_can_receive() bytes of buf. */
size_t serial8250_receive(Serial8250 *s, const uint8_t *buf, size_t len);

#endif
