/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal 16550A on COM1 (0x3f8) for the guest kernel's console: output
 * only, polled (no interrupts), always ready to transmit. Enabled by the
 * serial_console option; otherwise the kernel is told it has no UARTs.
 */
#include "vm.h"

enum { THR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB 0x80
#define LSR_THRE_TEMT 0x60
#define MSR_DCD_DSR_CTS 0xb0
#define IIR_NONE_FIFO 0xc1

static void serial_write(struct serial *s, unsigned reg, uint8_t v)
{
        bool dlab = s->lcr & LCR_DLAB;
        switch (reg) {
        case THR:
                if (dlab)
                        s->dll = v;
                else if (s->out_fd >= 0 && write(s->out_fd, &v, 1) < 0)
                        s->out_fd = -1; /* console gone: keep the guest running */
                break;
        case IER:
                if (dlab)
                        s->dlm = v;
                else
                        s->ier = v & 0x0f;
                break;
        case LCR: s->lcr = v; break;
        case MCR: s->mcr = v; break;
        case SCR: s->scr = v; break;
        }
}

static uint8_t serial_read(struct serial *s, unsigned reg)
{
        bool dlab = s->lcr & LCR_DLAB;
        switch (reg) {
        case THR: return dlab ? s->dll : 0;
        case IER: return dlab ? s->dlm : s->ier;
        case IIR: return IIR_NONE_FIFO;
        case LCR: return s->lcr;
        case MCR: return s->mcr;
        case LSR: return LSR_THRE_TEMT;
        case MSR: return MSR_DCD_DSR_CTS;
        case SCR: return s->scr;
        }
        return 0xff;
}

void serial_io(struct serial *s, uint16_t port, uint8_t *data, bool write)
{
        unsigned reg = port & 7;
        if (write)
                serial_write(s, reg, *data);
        else
                *data = serial_read(s, reg);
}
