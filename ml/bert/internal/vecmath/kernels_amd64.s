//go:build amd64

#include "textflag.h"

// CONST8 defines name<> as eight copies of the float32 with the given bits,
// a 32-byte operand for AVX2 instructions.
#define CONST8(name, bits) \
	DATA name<>+0(SB)/4, $bits; \
	DATA name<>+4(SB)/4, $bits; \
	DATA name<>+8(SB)/4, $bits; \
	DATA name<>+12(SB)/4, $bits; \
	DATA name<>+16(SB)/4, $bits; \
	DATA name<>+20(SB)/4, $bits; \
	DATA name<>+24(SB)/4, $bits; \
	DATA name<>+28(SB)/4, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

// Constants of Exp32 (Cephes expf) and Erf32 (Eigen's float erf); see vecmath.go.
CONST8(expMax, 0x42b00000)   // 88
CONST8(expMin, 0xc2aeac4f)   // -87.33654, ln of the smallest normal float32
CONST8(log2e, 0x3fb8aa3b)
CONST8(ln2hi, 0x3f318000)    // 0.693359375
CONST8(ln2lo, 0xb95e8083)    // -2.12194440e-4
CONST8(expP0, 0x39506967)
CONST8(expP1, 0x3ab743ce)
CONST8(expP2, 0x3c088908)
CONST8(expP3, 0x3d2aa9c1)
CONST8(expP4, 0x3e2aaaaa)
CONST8(expP5, 0x3f000000)
CONST8(one, 0x3f800000)
CONST8(half, 0x3f000000)
CONST8(bias127, 0x0000007f)  // int32 exponent bias
CONST8(invSqrt2, 0x3f3504f3)
CONST8(four, 0x40800000)
CONST8(minusFour, 0xc0800000)
CONST8(erfA0, 0xaf95df0b)
CONST8(erfA1, 0x32edffee)
CONST8(erfA2, 0xb60cff51)
CONST8(erfA3, 0xb86ec2d2)
CONST8(erfA4, 0xba40ac63)
CONST8(erfA5, 0xbb41a1f6)
CONST8(erfA6, 0xbc83dbd4)
CONST8(erfB0, 0xb77460cd)
CONST8(erfB1, 0xb95fbd29)
CONST8(erfB2, 0xbadc924e)
CONST8(erfB3, 0xbbf19bf8)
CONST8(erfB4, 0xbc69b6a7)

// EXP8 sets Y0 = exp(Y0) for eight lanes, as Exp32 does: 0 below expMin,
// inputs above 88 clamped. It clobbers Y1 to Y4.
#define EXP8 \
	VCMPPS $0x1d, expMin<>(SB), Y0, Y4; \
	VMINPS expMax<>(SB), Y0, Y0; \
	VMAXPS expMin<>(SB), Y0, Y0; \
	VMULPS log2e<>(SB), Y0, Y1; \
	VROUNDPS $0, Y1, Y1; \
	VFNMADD231PS ln2hi<>(SB), Y1, Y0; \
	VFNMADD231PS ln2lo<>(SB), Y1, Y0; \
	VMOVUPS expP0<>(SB), Y2; \
	VFMADD213PS expP1<>(SB), Y0, Y2; \
	VFMADD213PS expP2<>(SB), Y0, Y2; \
	VFMADD213PS expP3<>(SB), Y0, Y2; \
	VFMADD213PS expP4<>(SB), Y0, Y2; \
	VFMADD213PS expP5<>(SB), Y0, Y2; \
	VMULPS Y0, Y0, Y3; \
	VFMADD213PS Y0, Y3, Y2; \
	VADDPS one<>(SB), Y2, Y2; \
	VCVTPS2DQ Y1, Y1; \
	VPADDD bias127<>(SB), Y1, Y1; \
	VPSLLD $23, Y1, Y1; \
	VMULPS Y1, Y2, Y0; \
	VANDPS Y4, Y0, Y0

// func expShiftSumAVX2(x *float32, n int, shift float32) float32
TEXT ·expShiftSumAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS shift+16(FP), Y5
	VXORPS Y6, Y6, Y6

expLoop:
	VMOVUPS (DI), Y0
	VSUBPS Y5, Y0, Y0
	EXP8
	VMOVUPS Y0, (DI)
	VADDPS Y0, Y6, Y6
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ expLoop

	VEXTRACTF128 $1, Y6, X7
	VADDPS X7, X6, X6
	VHADDPS X6, X6, X6
	VHADDPS X6, X6, X6
	VMOVSS X6, ret+24(FP)
	VZEROUPPER
	RET

// func maxAVX2(x *float32, n int) float32
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VMOVUPS (DI), Y0

maxLoop:
	VMAXPS (DI), Y0, Y0
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ maxLoop

	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X1, X0, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func scaleAVX2(x *float32, n int, s float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS s+16(FP), Y1

scaleLoop:
	VMULPS (DI), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ scaleLoop
	VZEROUPPER
	RET

// func addAVX2(x, y *float32, n int)
TEXT ·addAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX

addLoop:
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ addLoop
	VZEROUPPER
	RET

// func addBiasGELUAVX2(x, bias *float32, n int)
TEXT ·addBiasGELUAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ bias+8(FP), SI
	MOVQ n+16(FP), CX

geluLoop:
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0
	VMULPS half<>(SB), Y0, Y5
	VMULPS invSqrt2<>(SB), Y0, Y0
	VMINPS four<>(SB), Y0, Y0
	VMAXPS minusFour<>(SB), Y0, Y0
	VMULPS Y0, Y0, Y1
	VMOVUPS erfA0<>(SB), Y2
	VFMADD213PS erfA1<>(SB), Y1, Y2
	VFMADD213PS erfA2<>(SB), Y1, Y2
	VFMADD213PS erfA3<>(SB), Y1, Y2
	VFMADD213PS erfA4<>(SB), Y1, Y2
	VFMADD213PS erfA5<>(SB), Y1, Y2
	VFMADD213PS erfA6<>(SB), Y1, Y2
	VMULPS Y0, Y2, Y2
	VMOVUPS erfB0<>(SB), Y3
	VFMADD213PS erfB1<>(SB), Y1, Y3
	VFMADD213PS erfB2<>(SB), Y1, Y3
	VFMADD213PS erfB3<>(SB), Y1, Y3
	VFMADD213PS erfB4<>(SB), Y1, Y3
	VDIVPS Y3, Y2, Y2
	VFMADD213PS Y5, Y5, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ geluLoop
	VZEROUPPER
	RET
