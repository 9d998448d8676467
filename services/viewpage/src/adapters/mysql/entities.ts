import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Car, PaymentStatus, Room } from '../../domain/projection';

/**
 * A snapshot kept as JSON text (null until the first snapshot arrived). The tables are made by
 * the migrations (MySQL: `longtext`, PostgreSQL: `text`); the types here are the ones both of
 * TypeORM's drivers know and convert no differently (`text`, `double precision`).
 */
const JSON_COLUMN = {
  type: 'text',
  nullable: true,
  transformer: {
    to: (v: unknown) => (v == null ? null : JSON.stringify(v)),
    from: (v: string | null) => (v == null ? null : (JSON.parse(v) as unknown)),
  },
} as const;

/**
 * Tables of the read model. Prefixed `view_` because Dapr's state table lives in the same
 * database. The schema is made by migrations (./migrations), never by `synchronize`.
 */
@Entity({ name: 'view_room' })
export class RoomEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) roomId!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) hostId!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) city!: string | null;
  @Column({ ...JSON_COLUMN })
  room!: Room | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'boolean' }) deleted!: boolean;
  @Column({ type: 'boolean' }) listed!: boolean;
  @Column({ type: 'int' }) reviewCount!: number;
  @Column({ type: 'double precision', nullable: true }) averageRating!: number | null;
  @Column({ type: 'int' }) reviewVersion!: number;
  @Column({ type: 'varchar', length: 40 }) updatedAt!: string;
  // The search's columns (migration RoomSearch1790000000000): taken from the snapshot for its indexes.
  @Column({ type: 'int', nullable: true }) pricePerNight!: number | null;
  @Column({ type: 'int', nullable: true }) capacity!: number | null;
  @Column({ type: 'double precision' }) ratingKey!: number;
}

@Entity({ name: 'view_car' })
export class CarEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) carId!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) hostId!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) city!: string | null;
  @Column({ ...JSON_COLUMN })
  car!: Car | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'boolean' }) deleted!: boolean;
  @Column({ type: 'boolean' }) listed!: boolean;
  @Column({ type: 'varchar', length: 40 }) updatedAt!: string;
}

@Entity({ name: 'view_reservation' })
export class ReservationEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) reservationId!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) roomId!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) guestId!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) carId!: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) checkIn!: string | null;
  @Column({ type: 'varchar', length: 10, nullable: true }) checkOut!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) status!: 'confirmed' | 'cancelled' | 'completed' | null;
  @Column({ type: 'int' }) reservationVersion!: number;
  @Column({ type: 'varchar', length: 20, nullable: true }) paymentStatus!: PaymentStatus | null;
  @Column({ type: 'int' }) paymentVersion!: number;
  @Column({ type: 'varchar', length: 20, nullable: true }) carStatus!: 'reserved' | 'released' | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) createdAt!: string | null;
  @Column({ type: 'varchar', length: 40 }) updatedAt!: string;
}
