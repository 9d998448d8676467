import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DeliveryState } from '../../domain/delivery';
import type { MessageEventType, StayContext } from '../../domain/messages';

/**
 * One row per message. The table is made by the migrations (./migrations), never by `synchronize`:
 * unique (reservationId, type) is what makes a message exist at most once; `seq` (auto-increment)
 * is the creation order lists page by. Named `message_*` because the database is shared with
 * other tables (the view's, Dapr's state on MariaDB).
 */
@Entity({ name: 'message_messages' })
export class MessageEntity {
  /** Both drivers answer a bigint as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'varchar', length: 40 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) reservationId!: string;
  @Column({ type: 'varchar', length: 40 }) type!: MessageEventType;
  @Column({ type: 'varchar', length: 200 }) recipientId!: string;
  @Column({ type: 'text' }) text!: string;
  @Column({ type: 'varchar', length: 40 }) createdAt!: string;
  @Column({ type: 'varchar', length: 20 }) delivery!: DeliveryState;
  @Column({ type: 'varchar', length: 40, nullable: true }) deliveredAt!: string | null;
  /** The stay a Reservation* event told, as JSON text (null on other messages). */
  @Column({
    type: 'text',
    nullable: true,
    transformer: {
      to: (v: unknown) => (v == null ? null : JSON.stringify(v)),
      from: (v: string | null) => (v == null ? null : (JSON.parse(v) as StayContext)),
    },
  })
  stay!: StayContext | null;
}
